//! Conversions between model values and SQLite column values: the time text format, and
//! reading stored ids, times and JSON back (a value this build cannot read is reported as
//! [`StoreError::Backend`] naming the column, never a panic).

use codecs::ResourceId;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::sq;
use crate::model::to_micros;
use crate::{StoreError, validate};

/// Text form of times: RFC 3339, UTC, six fractional digits, so text order is time order.
pub(super) const TIME_FORMAT: &[time::format_description::BorrowedFormatItem<'static>] = time::macros::format_description!(
    "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
);

/// `at` as stored: UTC, microseconds, fixed width. Years outside 1 to 9999 are invalid.
pub(super) fn time_text(field: &str, at: OffsetDateTime) -> Result<String, StoreError> {
    validate::time(field, at)?;
    to_micros(at)
        .format(TIME_FORMAT)
        .map_err(|e| StoreError::Invalid(format!("{field} cannot be formatted: {e}")))
}

/// A stored time read back.
pub(super) fn parse_time(field: &'static str, text: &str) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map_err(|e| StoreError::backend(field, format!("stored time `{text}` is invalid: {e}")))
}

/// A stored id read back.
pub(super) fn stored_id(field: &'static str, text: String) -> Result<ResourceId, StoreError> {
    ResourceId::new(text)
        .map_err(|e| StoreError::backend(field, format!("stored id is invalid: {e}")))
}

/// A stored JSON document read back.
pub(super) fn stored_json(
    field: &'static str,
    text: &str,
) -> Result<serde_json::Value, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::backend(field, format!("stored JSON is invalid: {e}")))
}

/// Converts the rows a query read, failing on the first that cannot be converted.
pub(super) fn collect<T>(
    context: &'static str,
    rows: rusqlite::Result<Vec<Result<T, StoreError>>>,
) -> Result<Vec<T>, StoreError> {
    rows.map_err(sq(context))?.into_iter().collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn time_text_is_fixed_width_utc_and_sorts_like_time() {
        let times = [
            datetime!(2024-01-01 00:00:00.5 +05:00),
            datetime!(2024-01-01 00:00:00 UTC),
            datetime!(2024-01-01 00:00:00.000001 UTC),
            datetime!(2024-01-01 00:00:00.123456789 -01:00),
        ];
        let texts: Vec<String> = times.iter().map(|t| time_text("t", *t).unwrap()).collect();
        assert_eq!(texts[1], "2024-01-01T00:00:00.000000Z");
        assert_eq!(texts[0], "2023-12-31T19:00:00.500000Z");
        assert!(texts.iter().all(|t| t.len() == texts[0].len()));
        for (a, ta) in times.iter().zip(&texts) {
            assert_eq!(parse_time("t", ta).unwrap(), to_micros(*a));
            for (b, tb) in times.iter().zip(&texts) {
                assert_eq!(
                    to_micros(*a).cmp(&to_micros(*b)),
                    ta.cmp(tb),
                    "{ta} vs {tb}"
                );
            }
        }
    }

    #[test]
    fn unreadable_stored_values_name_their_column() {
        let err = parse_time("users.created_at", "yesterday").unwrap_err();
        assert!(err.to_string().contains("users.created_at"), "{err}");
        let err = stored_id("users.id", "a/b".into()).unwrap_err();
        assert!(err.to_string().contains("users.id"), "{err}");
    }
}
