//! The preset workloads, embedded in the binary from `workloads/`.
