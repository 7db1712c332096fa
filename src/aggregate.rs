//! Aggregation of claim decisions per commentator (outlet, article) × period
//! × theme, mergeable across shards. (Stub.)
