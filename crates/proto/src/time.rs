//! The operator's calendar: it bills by Moscow months, and the app shows and asks for days in the
//! same time, whatever the device's own zone.

/// Moscow is UTC+3 all year; a fixed offset needs no time-zone database on the device.
pub fn moscow() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::fixed(jiff::tz::offset(3))
}

/// `YYYY-MM` of an instant, in Moscow time (the billing month it falls in).
pub fn period_of(ms: i64) -> String {
    let ts = jiff::Timestamp::from_millisecond(ms).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(moscow());
    format!("{:04}-{:02}", zoned.year(), zoned.month())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc5_a_month_turns_at_moscow_midnight() {
        // 2026-01-31T21:00:00Z is midnight of 1 February in Moscow.
        let feb_midnight = 1_769_893_200_000;
        assert_eq!(period_of(feb_midnight - 1), "2026-01");
        assert_eq!(period_of(feb_midnight), "2026-02");
    }
}
