//! Bytes of a file to text, keeping UTF-8 input byte-identical so that
//! offsets into the text are offsets into the file.

/// A decoded file.
#[derive(Debug)]
pub struct Decoded {
    pub text: String,
    /// Length of a UTF-8 byte-order mark kept at the start of `text` (0 or 3):
    /// the body starts after it.
    pub bom: usize,
    /// Non-fatal problems (transcoding, lossy decoding).
    pub warnings: Vec<String>,
}

/// Decode file bytes: UTF-8 (with or without BOM) as is, UTF-16 with a BOM
/// transcoded, invalid UTF-8 lossily. `Err` is the reason to skip the file
/// (empty, binary).
pub fn decode(bytes: Vec<u8>) -> Result<Decoded, String> {
    if bytes.is_empty() {
        return Err("empty file".into());
    }
    let mut warnings = Vec::new();
    let utf16 = match bytes.get(..2) {
        Some([0xFF, 0xFE]) => Some(true),
        Some([0xFE, 0xFF]) => Some(false),
        _ => None,
    };
    let (text, bom) = if let Some(le) = utf16 {
        let body = &bytes[2..];
        let units = body.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        let mut text = String::with_capacity(body.len());
        let mut bad = 0usize;
        for ch in char::decode_utf16(units) {
            text.push(ch.unwrap_or_else(|_| {
                bad += 1;
                char::REPLACEMENT_CHARACTER
            }));
        }
        if body.len() % 2 == 1 {
            bad += 1;
            text.push(char::REPLACEMENT_CHARACTER);
        }
        warnings.push(format!(
            "decoded from UTF-16{} (BOM dropped); offsets refer to the UTF-8 transcoded text",
            if le { "LE" } else { "BE" }
        ));
        if bad > 0 {
            warnings.push(format!(
                "{bad} invalid UTF-16 code unit(s) replaced with U+FFFD"
            ));
        }
        (text, 0)
    } else {
        if memchr::memchr(0, &bytes).is_some() {
            return Err("binary file (contains NUL bytes)".into());
        }
        let bom = if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                warnings.push(format!(
                    "invalid UTF-8 at byte {at}; decoded lossily (offsets refer to the decoded text)"
                ));
                String::from_utf8_lossy(&bytes).into_owned()
            }
        };
        (text, bom)
    };
    if text[bom..].trim().is_empty() {
        return Err("empty file (only whitespace)".into());
    }
    Ok(Decoded {
        text,
        bom,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_kept_byte_identical_with_bom_and_crlf() {
        let raw = b"\xEF\xBB\xBFOne.\r\nTwo.\rThree.".to_vec();
        let d = decode(raw.clone()).unwrap();
        assert_eq!(d.text.as_bytes(), &raw[..]);
        assert_eq!(d.bom, 3);
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn utf16_le_and_be_transcoded() {
        let mut le = vec![0xFF, 0xFE];
        let mut be = vec![0xFE, 0xFF];
        for u in "Peace — мир".encode_utf16() {
            le.extend(u.to_le_bytes());
            be.extend(u.to_be_bytes());
        }
        for raw in [le, be] {
            let d = decode(raw).unwrap();
            assert_eq!(d.text, "Peace — мир");
            assert_eq!(d.bom, 0);
            assert!(d.warnings[0].contains("UTF-16"));
        }
    }

    #[test]
    fn invalid_utf8_is_lossy_with_warning() {
        let d = decode(b"caf\xE9 au lait".to_vec()).unwrap();
        assert_eq!(d.text, "caf\u{FFFD} au lait");
        assert!(d.warnings[0].contains("byte 3"));
    }

    #[test]
    fn empty_whitespace_and_binary_are_refused() {
        assert_eq!(decode(vec![]).unwrap_err(), "empty file");
        assert!(decode(b"\xEF\xBB\xBF \r\n\t".to_vec())
            .unwrap_err()
            .contains("whitespace"));
        assert!(decode(b"PK\x03\x04\x00\x00".to_vec())
            .unwrap_err()
            .contains("NUL"));
    }
}
