//! shardbench: how keys land on partitions, and what it costs.
//!
//! The modules follow the data flow of a run:
//! [`workload`] (what to generate) → [`generator`] (key distributions) →
//! [`engine`] (parallel, deterministic routing through each [`strategy`]) →
//! [`metrics`] and [`latency`] (balance, fan-out, movement, queueing) →
//! [`report`] (table, CSV, JSON, charts).

#![deny(missing_docs)]

pub mod batch;
pub mod cli;
pub mod engine;
pub mod error;
pub mod generator;
pub mod latency;
pub mod metrics;
pub mod report;
pub mod rng;
pub mod route;
pub mod strategy;
pub mod trace;
pub mod workload;

pub use error::{Error, Result};
