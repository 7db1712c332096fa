//! Tokenization with byte offsets and a normalised form for matching.
//! (Stub: ASCII words, lowercased.)

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Word,
    Number,
    Punct,
}

/// A token: `start..end` in the input text, `norm` a range in [`Tokens::norm`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
    pub norm_start: u32,
    pub norm_end: u32,
    pub kind: TokenKind,
}

/// Reusable token buffer: no allocation per token once warmed up.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    pub tokens: Vec<Token>,
    /// Normalised (lowercased, accent-folded) token texts, back to back.
    pub norm: String,
}

impl Tokens {
    pub fn norm_of(&self, t: &Token) -> &str {
        &self.norm[t.norm_start as usize..t.norm_end as usize]
    }
}

/// Tokenize `text` into `out` (cleared first).
pub fn tokenize(text: &str, out: &mut Tokens) {
    out.tokens.clear();
    out.norm.clear();
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphanumeric() {
            let s = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let ns = out.norm.len() as u32;
            out.norm.push_str(&text[s..i].to_ascii_lowercase());
            out.tokens.push(Token {
                start: s as u32,
                end: i as u32,
                norm_start: ns,
                norm_end: out.norm.len() as u32,
                kind: TokenKind::Word,
            });
        } else {
            i += 1;
        }
    }
}
