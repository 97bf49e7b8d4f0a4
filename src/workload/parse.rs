//! Reading workload TOML into a validated [`Workload`](super::Workload).
