//! Tools around Stillpoint, kept out of the product library: a demo clinic to show the app
//! with, and a synthetic clinic of any size for benchmarks and the crash test.

pub mod demo;
pub mod synth;
