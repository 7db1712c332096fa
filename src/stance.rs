//! Stance: turns the matches of one claim into a decision per theme, applying
//! negation scope, hedges, contrast, questions and reported speech. (Stub.)

use crate::lexicon::Lexicon;
use crate::model::ClaimTags;

/// Per-thread scratch buffers, so tagging allocates nothing per token.
#[derive(Debug, Default)]
pub struct Scratch {
    pub tokens: crate::tokenize::Tokens,
}

/// Tags claims with themes and stances according to a lexicon.
#[derive(Debug, Clone)]
pub struct Tagger {
    lexicon: Lexicon,
}

impl Tagger {
    pub fn new(lexicon: Lexicon) -> Self {
        Tagger { lexicon }
    }

    pub fn lexicon(&self) -> &Lexicon {
        &self.lexicon
    }

    /// Tag one claim. Evidence offsets are relative to `text`.
    pub fn tag(&self, text: &str, scratch: &mut Scratch) -> ClaimTags {
        crate::tokenize::tokenize(text, &mut scratch.tokens);
        Vec::new()
    }
}
