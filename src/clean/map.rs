//! The map from cleaned byte offsets back to original byte offsets.
//!
//! Cleaning copies most of the text verbatim, so the map is a sorted list of
//! runs: a *copy* run maps its bytes one to one, a *replace* run (a curly
//! quote that became `'`, an NBSP that became a space, an inserted paragraph
//! break) maps all of its bytes to the one original span it replaced.
//! Lookups are a binary search; building is amortised O(1) per emitted byte
//! and a hard-wrapped ASCII paragraph is a single run.

/// One run of the map, starting at cleaned offset `clean`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Run {
    pub clean: usize,
    pub orig: usize,
    /// 0: copy run. Otherwise the length of the original span replaced.
    pub replaced: usize,
}

/// Cleaned text under construction together with its offset map.
#[derive(Debug, Default, Clone)]
pub(crate) struct Builder {
    pub out: String,
    pub runs: Vec<Run>,
}

impl Builder {
    pub fn with_capacity(n: usize) -> Self {
        Builder {
            out: String::with_capacity(n),
            runs: Vec::new(),
        }
    }

    /// Append `s`, which is a verbatim copy of original bytes at `orig..`,
    /// or a same-length substitute for them (e.g. `\n` → ` `).
    #[inline]
    pub fn copy(&mut self, s: &str, orig: usize) {
        if s.is_empty() {
            return;
        }
        let c = self.out.len();
        let continues = matches!(self.runs.last(),
            Some(r) if r.replaced == 0 && r.orig + (c - r.clean) == orig);
        if !continues {
            self.runs.push(Run {
                clean: c,
                orig,
                replaced: 0,
            });
        }
        self.out.push_str(s);
    }

    /// Append `s` standing for the original span `orig..orig + orig_len`.
    pub fn replace(&mut self, s: &str, orig: usize, orig_len: usize) {
        if s.is_empty() {
            return;
        }
        if s.len() == orig_len {
            return self.copy(s, orig);
        }
        self.runs.push(Run {
            clean: self.out.len(),
            orig,
            replaced: orig_len.max(1),
        });
        self.out.push_str(s);
    }
}

/// Index of the run containing cleaned byte `off` (`runs` non-empty, `off`
/// at or after the first run).
#[inline]
fn run_of(runs: &[Run], off: usize) -> usize {
    runs.partition_point(|r| r.clean <= off).saturating_sub(1)
}

/// Original offset where cleaned byte `off` starts (`off == len` allowed:
/// then the end of the last run).
pub(crate) fn start_of(runs: &[Run], len: usize, base: usize, off: usize) -> usize {
    if runs.is_empty() {
        return base;
    }
    if off >= len {
        return end_of(runs, len, base, len);
    }
    let r = runs[run_of(runs, off)];
    if r.replaced == 0 {
        r.orig + (off - r.clean)
    } else {
        r.orig
    }
}

/// Original offset just after cleaned byte `end - 1` (exclusive end).
pub(crate) fn end_of(runs: &[Run], len: usize, base: usize, end: usize) -> usize {
    if runs.is_empty() || end == 0 {
        return runs.first().map_or(base, |r| r.orig);
    }
    let last = end.min(len) - 1;
    let r = runs[run_of(runs, last)];
    if r.replaced == 0 {
        r.orig + (last - r.clean) + 1
    } else {
        r.orig + r.replaced
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_runs_merge_and_replacements_map_to_their_source() {
        // original: "ab’cd" (’ is 3 bytes at 2..5), cleaned "ab'cd"
        let mut b = Builder::default();
        b.copy("ab", 10);
        b.replace("'", 12, 3);
        b.copy("cd", 15);
        assert_eq!(b.out, "ab'cd");
        assert_eq!(b.runs.len(), 3);
        let n = b.out.len();
        let s = |o| start_of(&b.runs, n, 10, o);
        let e = |o| end_of(&b.runs, n, 10, o);
        assert_eq!(
            (s(0), s(1), s(2), s(3), s(4), s(5)),
            (10, 11, 12, 15, 16, 17)
        );
        assert_eq!((e(2), e(3), e(4), e(5)), (12, 15, 16, 17));
        // a same-length substitution does not break the run
        let mut b = Builder::default();
        b.copy("ab", 0);
        b.copy(" ", 2);
        b.copy("cd", 3);
        assert_eq!(b.runs.len(), 1);
    }
}
