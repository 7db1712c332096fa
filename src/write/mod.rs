//! Writers: CSV tables, the SVG heatmap and the manifest, each written
//! atomically (temp file + rename).

pub mod atomic;
pub mod cells;
pub mod heatmap;
pub mod manifest;
pub mod outputs;
pub mod tables;
