//! The report's output formats, named once for every front end (the command line, the
//! bindings): parse a format's name, render a report in it.

use super::HealthReport;

/// An output format of the health report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ReportFormat {
    /// Aligned terminal table ([`HealthReport::to_table`]).
    Table,
    /// Markdown for an email ([`HealthReport::to_markdown`]).
    Markdown,
    /// The stable JSON of `docs/report.md` ([`HealthReport::to_json`]), with a final newline.
    Json,
    /// iCalendar of the renewal deadlines ([`HealthReport::to_ics`]).
    Ics,
}

/// A format name that is not one of [`ReportFormat::NAMES`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the format must be one of table, markdown (md), json, ics; not {0:?}")]
pub struct UnknownFormat(pub String);

impl ReportFormat {
    /// Every format's name, as [`ReportFormat::from_str`](std::str::FromStr) reads them.
    pub const NAMES: &'static [&'static str] = &["table", "markdown", "json", "ics"];

    /// The format's name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Table => "table",
            Self::Markdown => "markdown",
            Self::Json => "json",
            Self::Ics => "ics",
        }
    }

    /// Whether the output is meant for a program (stdout then holds only the report).
    #[must_use]
    pub fn is_machine_readable(self) -> bool {
        matches!(self, Self::Json | Self::Ics)
    }

    /// The report in this format. `color`: ANSI colours in the table.
    #[must_use]
    pub fn render(self, report: &HealthReport, color: bool) -> String {
        match self {
            Self::Table => report.to_table(color),
            Self::Markdown => report.to_markdown(),
            Self::Json => {
                let mut j = report.to_json();
                j.push('\n');
                j
            }
            Self::Ics => report.to_ics(),
        }
    }
}

impl std::str::FromStr for ReportFormat {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "table" => Ok(Self::Table),
            "markdown" | "md" => Ok(Self::Markdown),
            "json" => Ok(Self::Json),
            "ics" => Ok(Self::Ics),
            other => Err(UnknownFormat(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReportFormat;

    #[test]
    fn names_round_trip_and_unknown_ones_are_refused() {
        for name in ReportFormat::NAMES {
            let f: ReportFormat = name.parse().unwrap_or(ReportFormat::Table);
            assert_eq!(f.as_str(), *name);
        }
        assert_eq!("md".parse::<ReportFormat>(), Ok(ReportFormat::Markdown));
        assert!("html5".parse::<ReportFormat>().is_err());
    }
}
