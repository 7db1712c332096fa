//! Matcher: finds theme terms, stance cues and modifiers in a claim's tokens
//! in one pass. (Stub.)
