//! The preset workloads, embedded in the binary from `workloads/`, and the
//! lookup that turns `--workload NAME|PATH` into a [`Workload`].

use std::path::Path;

use super::{Workload, parse};
use crate::error::{Error, Result};

/// Every preset: its name and its TOML text.
pub const PRESETS: &[(&str, &str)] = &[
    ("twitter", include_str!("../../workloads/twitter.toml")),
    ("ecommerce", include_str!("../../workloads/ecommerce.toml")),
    (
        "timeseries",
        include_str!("../../workloads/timeseries.toml"),
    ),
    ("uniform", include_str!("../../workloads/uniform.toml")),
    ("systems", include_str!("../../workloads/systems.toml")),
];

/// Loads `name_or_path`: a preset name, or the path of a TOML file. A path
/// (anything with a `/` or ending in `.toml`) is always read from disk.
pub fn load(name_or_path: &str) -> Result<Workload> {
    let looks_like_path = name_or_path.contains('/') || name_or_path.ends_with(".toml");
    if !looks_like_path {
        if let Some((name, text)) = PRESETS.iter().find(|(n, _)| *n == name_or_path) {
            let label = format!("preset {name}");
            return Ok(parse::parse(text, &label, name, &label)?);
        }
        if !Path::new(name_or_path).exists() {
            let names: Vec<&str> = PRESETS.iter().map(|(n, _)| *n).collect();
            return Err(Error::flag(
                "--workload",
                format!(
                    "unknown workload \"{name_or_path}\": not a preset ({}) and no such file",
                    names.join(", ")
                ),
            ));
        }
    }
    let path = Path::new(name_or_path);
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "workload".to_string());
    Ok(parse::parse(&text, name_or_path, &stem, name_or_path)?)
}

/// The first line of a preset's description, for `shardbench list`.
pub fn describe(name: &str) -> Option<String> {
    let (_, text) = PRESETS.iter().find(|(n, _)| *n == name)?;
    let table: toml::Table = text.parse().ok()?;
    table.get("description")?.as_str().map(str::to_string)
}
