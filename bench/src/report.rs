//! Figures: a median over repeated runs, the floor measured in the same run
//! and their ratio, a target and whether it was met; printed as one table
//! and written as JSON so two commits can be compared.

use serde::Serialize;

#[derive(Clone, Debug, Serialize)]
pub struct Figure {
    pub id: String,
    pub label: String,
    pub unit: &'static str,
    /// Median of `samples`.
    pub value: f64,
    pub samples: Vec<f64>,
    /// Median of the floor's samples, when the figure has a floor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub floor: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub floor_samples: Vec<f64>,
    /// The figure over its floor: the median of the run-by-run ratios when
    /// both were sampled in pairs, else the ratio of the medians.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pass: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

pub fn median(samples: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = samples.iter().copied().filter(|s| s.is_finite()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

impl Figure {
    pub fn new(id: &str, label: &str, unit: &'static str, samples: Vec<f64>) -> Figure {
        Figure {
            id: id.to_string(),
            label: label.to_string(),
            unit,
            value: median(&samples),
            samples,
            floor: None,
            floor_samples: Vec::new(),
            ratio: None,
            target: None,
            pass: None,
            detail: None,
        }
    }

    pub fn single(id: &str, label: &str, unit: &'static str, value: f64) -> Figure {
        Figure::new(id, label, unit, vec![value])
    }

    pub fn with_floor(mut self, floor: Vec<f64>) -> Figure {
        self.floor = Some(median(&floor));
        self.ratio = Some(if floor.len() == self.samples.len() && floor.len() > 1 {
            let ratios: Vec<f64> = self
                .samples
                .iter()
                .zip(&floor)
                .map(|(value, floor)| value / floor)
                .collect();
            median(&ratios)
        } else {
            self.value / median(&floor)
        });
        self.floor_samples = floor;
        self
    }

    fn require(mut self, description: String, met: bool) -> Figure {
        self.target = Some(match self.target.take() {
            Some(previous) => format!("{previous}, {description}"),
            None => description,
        });
        self.pass = Some(self.pass.unwrap_or(true) && met);
        self
    }

    /// The value must not exceed `limit`.
    pub fn at_most(self, limit: f64) -> Figure {
        let met = self.value <= limit;
        let unit = self.unit;
        self.require(format!("≤ {} {unit}", number(limit)), met)
    }

    /// The value must be at least `limit`.
    pub fn at_least(self, limit: f64) -> Figure {
        let met = self.value >= limit;
        let unit = self.unit;
        self.require(format!("≥ {} {unit}", number(limit)), met)
    }

    /// The value must stay below `limit`.
    pub fn below(self, limit: f64) -> Figure {
        let met = self.value < limit;
        let unit = self.unit;
        self.require(format!("< {} {unit}", number(limit)), met)
    }

    /// The ratio to the floor must not exceed `limit`.
    pub fn ratio_at_most(self, limit: f64) -> Figure {
        let met = self.ratio.is_some_and(|r| r <= limit);
        self.require(format!("≤ {}× floor", number(limit)), met)
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Figure {
        self.detail = Some(detail.into());
        self
    }
}

/// A number with as many decimals as its size needs.
pub fn number(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_string();
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// The one table `cargo xtask bench` prints.
pub fn table(figures: &[Figure]) -> String {
    let header = ["Figure", "Median", "Floor", "Ratio", "Target", "", "Notes"];
    let rows: Vec<[String; 7]> = figures
        .iter()
        .map(|f| {
            [
                f.label.clone(),
                format!("{} {}", number(f.value), f.unit),
                f.floor
                    .map(|v| format!("{} {}", number(v), f.unit))
                    .unwrap_or_default(),
                f.ratio
                    .map(|r| format!("{}×", number(r)))
                    .unwrap_or_default(),
                f.target.clone().unwrap_or_default(),
                match f.pass {
                    Some(true) => "ok".to_string(),
                    Some(false) => "MISS".to_string(),
                    None => String::new(),
                },
                f.detail.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            let pad = width - cell.chars().count();
            // Text left, figures right.
            if i == 0 || i >= 4 {
                out.push_str(cell);
                out.push_str(&" ".repeat(pad));
            } else {
                out.push_str(&" ".repeat(pad));
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(str::to_string));
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    for row in &rows {
        out.push_str(&line(row));
    }
    out
}

/// Figures measured on several backends, side by side: one row per figure
/// id in `rows` (as measured on the first column's backend), one column per
/// `(name, id prefix)`, each cell marked ok or MISS where it has a target.
pub fn side_by_side(figures: &[Figure], columns: &[(&str, &str)], rows: &[String]) -> String {
    let find = |id: &str| figures.iter().find(|f| f.id == id);
    let mut header = vec!["Figure".to_string()];
    header.extend(columns.iter().map(|(name, _)| name.to_string()));
    header.push("Target".to_string());
    let mut lines: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let found: Vec<Option<&Figure>> = columns
            .iter()
            .map(|(_, prefix)| find(&format!("{prefix}{row}")))
            .collect();
        let Some(first) = found.iter().flatten().next() else {
            continue;
        };
        let mut line = vec![found[0].map_or(first.label.clone(), |f| f.label.clone())];
        line.extend(found.iter().map(|f| match f {
            Some(f) => format!(
                "{} {}{}",
                number(f.value),
                f.unit,
                match f.pass {
                    Some(true) => " ok",
                    Some(false) => " MISS",
                    None => "",
                }
            ),
            None => "–".to_string(),
        }));
        // The target of the backends after the first (SQLite's may differ,
        // and shows in the main table).
        line.push(
            found
                .iter()
                .skip(1)
                .flatten()
                .find_map(|f| f.target.clone())
                .unwrap_or_default(),
        );
        lines.push(line);
    }
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for line in &lines {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let last = header.len() - 1;
    let format = |cells: &[String]| -> String {
        let mut out = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            let pad = " ".repeat(width - cell.chars().count());
            // Text left, figures right.
            if i == 0 || i == last {
                out.push_str(cell);
                out.push_str(&pad);
            } else {
                out.push_str(&pad);
                out.push_str(cell);
            }
            out.push_str("  ");
        }
        out.trim_end().to_string() + "\n"
    };
    let mut out = format(&header);
    out.push_str(&format(
        &widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>(),
    ));
    for line in &lines {
        out.push_str(&format(line));
    }
    out
}

/// A line on stderr saying what the bench is doing.
pub fn progress(message: &str) {
    eprintln!("bench: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn side_by_side_puts_each_backend_in_its_column() {
        let figures = vec![
            Figure::single("api.x.p99", "GET x p99", "ms", 3.0).below(20.0),
            Figure::single("pg1.api.x.p99", "PostgreSQL: GET x p99", "ms", 25.0).below(20.0),
            Figure::single("api.y.p99", "GET y p99", "ms", 1.0),
        ];
        let table = side_by_side(
            &figures,
            &[("SQLite", ""), ("PostgreSQL", "pg1.")],
            &["api.x.p99".to_string(), "api.z.p99".to_string()],
        );
        let lines: Vec<&str> = table.lines().collect();
        // Header, rule, and one row: a row measured nowhere is left out.
        assert_eq!(lines.len(), 3, "{table}");
        assert!(lines[0].starts_with("Figure"));
        assert!(lines[2].starts_with("GET x p99"));
        assert!(lines[2].contains("3.00 ms ok"));
        assert!(lines[2].contains("25.0 ms MISS"));
        assert!(lines[2].ends_with("< 20.0 ms"));
    }
}
