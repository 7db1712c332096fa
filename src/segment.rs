//! Sentence segmentation of cleaned text. (Stub: splits after `. `, `? `, `! `.)

use std::ops::Range;

/// Append the byte ranges of the sentences of `text` to `out`, trimmed, in order.
pub fn sentences(text: &str, out: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut start = 0;
    for i in 0..b.len() {
        if matches!(b[i], b'.' | b'?' | b'!')
            && (i + 1 == b.len() || b[i + 1].is_ascii_whitespace())
        {
            push_trimmed(text, start..i + 1, out);
            start = i + 1;
        }
    }
    push_trimmed(text, start..b.len(), out);
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}
