//! The input lines of `opstance tag`, read a block at a time.
//!
//! A batch is one buffer of whole lines, split in place: no copy and no
//! allocation per line (what `read_line` into a `String` costs), and UTF-8
//! is checked per line by the worker that tags it, so an invalid line is a
//! skipped record with its line number rather than the end of the run.

use std::io::{ErrorKind, Read};

/// One batch of input: whole lines in `buf`.
#[derive(Default)]
pub struct Batch {
    /// The lines' bytes (and, past the last line, leftovers of earlier use).
    pub buf: Vec<u8>,
    /// (line number, start, end) of each line in `buf`; `end` excludes the
    /// `\n` (a `\r` before it is left to the caller).
    pub lines: Vec<(u64, usize, usize)>,
}

impl Batch {
    #[cfg(test)]
    fn line(&self, i: usize) -> (u64, &[u8]) {
        let (ln, s, e) = self.lines[i];
        (ln, &self.buf[s..e])
    }
}

/// Reads batches of whole lines from `src`.
pub struct LineReader<R> {
    src: R,
    /// The unfinished line at the end of the last block.
    carry: Vec<u8>,
    line_no: u64,
    eof: bool,
    /// Bytes a batch aims for.
    block: usize,
}

/// The least a single read asks for.
const MIN_READ: usize = 64 << 10;

impl<R: Read> LineReader<R> {
    pub fn new(src: R, block: usize) -> Self {
        LineReader {
            src,
            carry: Vec::new(),
            line_no: 0,
            eof: false,
            block: block.max(1),
        }
    }

    /// True once the source has reported its end.
    pub fn at_end(&self) -> bool {
        self.eof
    }

    /// The next batch, in `buf` (a recycled buffer); no lines = end of
    /// input. It holds at least one line, and stops at `block` bytes or at
    /// a short read (a pipe with nothing more waiting), so the lines of a
    /// slow producer are tagged as they come instead of waiting for more.
    /// A line longer than `block` grows the buffer until it ends.
    pub fn next_batch(&mut self, mut buf: Vec<u8>) -> std::io::Result<Batch> {
        // `buf` keeps its length between batches: only bytes never used
        // before are zeroed before a read, not the whole block each time.
        let mut filled = self.carry.len();
        if buf.len() < filled {
            buf.resize(filled, 0);
        }
        buf[..filled].copy_from_slice(&self.carry);
        self.carry.clear();
        // Lines are searched for only in bytes not yet searched.
        let mut searched = 0;
        let mut has_line = false;
        while !self.eof {
            has_line = has_line || memchr::memchr(b'\n', &buf[searched..filled]).is_some();
            searched = filled;
            if has_line && filled >= self.block {
                break;
            }
            let want = self.block.saturating_sub(filled).max(MIN_READ);
            if buf.len() < filled + want {
                buf.resize(filled + want, 0);
            }
            let n = loop {
                match self.src.read(&mut buf[filled..filled + want]) {
                    Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                    Ok(n) => break n,
                }
            };
            filled += n;
            if n == 0 {
                self.eof = true;
            } else if n < want {
                has_line = has_line || memchr::memchr(b'\n', &buf[searched..filled]).is_some();
                searched = filled;
                if has_line {
                    break;
                }
            }
        }
        // Whole lines stay; the rest waits for the next block (at the end
        // of input, the rest is the last line).
        let cut = if self.eof {
            filled
        } else {
            memchr::memrchr(b'\n', &buf[..filled]).map_or(0, |i| i + 1)
        };
        self.carry.extend_from_slice(&buf[cut..filled]);
        let mut lines = Vec::with_capacity(cut / 256 + 1);
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', &buf[..cut]) {
            self.line_no += 1;
            lines.push((self.line_no, start, nl));
            start = nl + 1;
        }
        if start < cut {
            self.line_no += 1;
            lines.push((self.line_no, start, cut));
        }
        Ok(Batch { buf, lines })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that hands out its bytes in the given read sizes.
    struct Trickle {
        data: Vec<u8>,
        pos: usize,
        sizes: Vec<usize>,
        call: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let size = self.sizes[self.call % self.sizes.len()];
            self.call += 1;
            let n = size.min(out.len()).min(self.data.len() - self.pos);
            out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
            self.pos += n;
            Ok(n)
        }
    }

    fn all_lines(data: &[u8], sizes: Vec<usize>, block: usize) -> Vec<(u64, Vec<u8>)> {
        let src = Trickle {
            data: data.to_vec(),
            pos: 0,
            sizes,
            call: 0,
        };
        let mut r = LineReader::new(src, block);
        let mut out = Vec::new();
        // A recycled buffer full of stale bytes, as in the command.
        let mut buf = vec![b'\n'; 7];
        loop {
            let b = r.next_batch(buf).unwrap();
            if b.lines.is_empty() {
                break;
            }
            for i in 0..b.lines.len() {
                let (ln, l) = b.line(i);
                out.push((ln, l.to_vec()));
            }
            buf = b.buf;
        }
        out
    }

    #[test]
    fn a_line_split_across_reads_comes_out_whole() {
        let data = b"{\"a\":1}\n\n{\"b\":2}\r\nlast";
        for sizes in [vec![1], vec![3, 5], vec![100], vec![2, 1 << 20]] {
            for block in [1, 4, 16, 1 << 20] {
                let got = all_lines(data, sizes.clone(), block);
                let want: Vec<(u64, Vec<u8>)> = vec![
                    (1, b"{\"a\":1}".to_vec()),
                    (2, b"".to_vec()),
                    (3, b"{\"b\":2}\r".to_vec()),
                    (4, b"last".to_vec()),
                ];
                assert_eq!(got, want, "reads {sizes:?}, block {block}");
            }
        }
    }

    #[test]
    fn empty_input_and_a_final_newline_add_no_line() {
        assert!(all_lines(b"", vec![10], 4).is_empty());
        assert_eq!(all_lines(b"x\n", vec![10], 4), vec![(1, b"x".to_vec())]);
    }

    proptest::proptest! {
        /// Whatever the read sizes and block, the lines are those of `split`.
        #[test]
        fn lines_do_not_depend_on_read_sizes(
            text in "[ab\n]{0,200}",
            sizes in proptest::collection::vec(1usize..40, 1..5),
            block in 1usize..64,
        ) {
            let got = all_lines(text.as_bytes(), sizes, block);
            let mut want: Vec<(u64, Vec<u8>)> = text
                .split('\n')
                .enumerate()
                .map(|(i, l)| (i as u64 + 1, l.as_bytes().to_vec()))
                .collect();
            if text.is_empty() || text.ends_with('\n') {
                want.pop();
            }
            proptest::prop_assert_eq!(got, want);
        }
    }
}
