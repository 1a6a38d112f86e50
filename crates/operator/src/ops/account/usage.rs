//! Package usage (QA-1 records it) and its 80 %/100 % notices by SMS from 111 (ACC-11).

use mymts_proto::ErrorCode;
use mymts_proto::wire::{PackageUse, Packages, RecordUsage, Tariff, UsageKind, UsageNotice};
use rusqlite::{OptionalExtension, Transaction, params};

use super::tariffs::account_tariff;
use super::{USAGE_SENDER, refuse_if_blocked};
use crate::db::accounts;
use crate::error::{ApiError, ApiResult};
use crate::ops::sms_centre::queue_sms;
use crate::state::AppState;
use mymts_proto::time::period_of;

/// Records usage on a number (QA-1) and sends the 80 %/100 % notices (ACC-11). One notice per
/// threshold and month; a jump past both sends only the 100 % one.
pub async fn record_usage(state: &AppState, req: RecordUsage) -> ApiResult<Packages> {
    let number = req.number.to_string();
    if !(1..=10_000_000).contains(&req.amount) {
        return Err(ApiError::invalid(
            "amount",
            "The amount is 1 to 10,000,000.",
        ));
    }
    let now = state.now_ms();
    let st = state.clone();
    let (packages, sent) = state
        .db
        .tx(move |tx| add_usage(tx, &st, now, &number, req.kind, req.amount))
        .await?;
    if sent {
        crate::ops::sms_centre::wake(state);
    }
    Ok(packages)
}

/// `(used column, notified column)` of a kind; fixed strings, safe to put in SQL.
fn usage_columns(kind: UsageKind) -> (&'static str, &'static str) {
    match kind {
        UsageKind::Minutes => ("minutes_used", "notified_minutes"),
        UsageKind::Sms => ("sms_used", "notified_sms"),
        UsageKind::Data => ("data_mb_used", "notified_data"),
    }
}

fn add_usage(
    tx: &Transaction<'_>,
    state: &AppState,
    now: i64,
    number: &str,
    kind: UsageKind,
    amount: i64,
) -> ApiResult<(Packages, bool)> {
    let a = accounts::mobile(tx, number)?.ok_or_else(|| {
        ApiError::new(ErrorCode::UnknownAccount, "No subscriber has this number.")
    })?;
    refuse_if_blocked(&a, "use the network")?;
    let tariff = account_tariff(tx, &a)?
        .ok_or_else(|| ApiError::internal(format!("mobile account {} has no tariff", a.id)))?;
    let period = period_of(now);
    let (used_col, notified_col) = usage_columns(kind);
    let (used, notified): (i64, i64) = tx.query_row(
        &format!(
            "INSERT INTO usage (account_id, period, {used_col}) VALUES (?1, ?2, ?3)
             ON CONFLICT (account_id, period) DO UPDATE SET {used_col} = {used_col} + excluded.{used_col}
             RETURNING {used_col}, {notified_col}"
        ),
        params![a.id, period, amount],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let total = match kind {
        UsageKind::Minutes => tariff.minutes,
        UsageKind::Sms => tariff.sms,
        UsageKind::Data => tariff.data_mb,
    };
    let level = threshold(used, total);
    let sent = level > notified;
    if sent {
        let text = notice_text(kind, level, used, total);
        queue_sms(
            tx,
            &state.key,
            &state.faults(),
            now,
            number,
            USAGE_SENDER,
            &text,
        )?;
        tx.execute(
            "INSERT INTO usage_notices (account_id, kind, percent, at_ms, text) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![a.id, usage_kind_str(kind), level, now, text],
        )?;
        tx.execute(
            &format!("UPDATE usage SET {notified_col} = ?1 WHERE account_id = ?2 AND period = ?3"),
            params![level, a.id, period],
        )?;
    }
    Ok((packages(tx, a.id, &tariff, now)?, sent))
}

/// `(minutes, SMS, MB)` used in `period`.
fn usage_of(tx: &Transaction<'_>, account_id: i64, period: &str) -> ApiResult<(i64, i64, i64)> {
    Ok(tx
        .query_row(
            "SELECT minutes_used, sms_used, data_mb_used FROM usage
             WHERE account_id = ?1 AND period = ?2",
            params![account_id, period],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .unwrap_or((0, 0, 0)))
}

pub(super) fn packages(
    tx: &Transaction<'_>,
    account_id: i64,
    tariff: &Tariff,
    now: i64,
) -> ApiResult<Packages> {
    let period = period_of(now);
    let (minutes, sms, data) = usage_of(tx, account_id, &period)?;
    Ok(Packages {
        period,
        minutes: PackageUse {
            used: minutes,
            total: tariff.minutes,
        },
        sms: PackageUse {
            used: sms,
            total: tariff.sms,
        },
        data_mb: PackageUse {
            used: data,
            total: tariff.data_mb,
        },
    })
}

fn usage_kind_str(kind: UsageKind) -> &'static str {
    match kind {
        UsageKind::Minutes => "minutes",
        UsageKind::Sms => "sms",
        UsageKind::Data => "data",
    }
}

/// The notices sent in the month `now` is in, oldest first.
pub(super) fn notices_this_period(
    tx: &Transaction<'_>,
    account_id: i64,
    now: i64,
) -> ApiResult<Vec<UsageNotice>> {
    let start = crate::ops::calls::months(now, 1)
        .first()
        .map_or(0, |m| m.start_ms);
    let mut stmt = tx.prepare_cached(
        "SELECT kind, percent, at_ms, text FROM usage_notices
         WHERE account_id = ?1 AND at_ms >= ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![account_id, start], |r| {
        let kind = match r.get::<_, String>(0)?.as_str() {
            "minutes" => UsageKind::Minutes,
            "sms" => UsageKind::Sms,
            _ => UsageKind::Data,
        };
        Ok(UsageNotice {
            kind,
            percent: u8::try_from(r.get::<_, i64>(1)?).unwrap_or(100),
            at_ms: r.get(2)?,
            text: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The highest notice level reached: 0, 80 or 100.
fn threshold(used: i64, total: i64) -> i64 {
    if total <= 0 {
        return 0;
    }
    match used.saturating_mul(100) / total {
        p if p >= 100 => 100,
        p if p >= 80 => 80,
        _ => 0,
    }
}

fn notice_text(kind: UsageKind, level: i64, used: i64, total: i64) -> String {
    let left = (total - used).max(0);
    let (what, left_s, total_s) = match kind {
        UsageKind::Minutes => ("minutes", format!("{left} min"), format!("{total} min")),
        UsageKind::Sms => ("SMS", format!("{left} SMS"), format!("{total} SMS")),
        UsageKind::Data => ("internet package", gb(left), gb(total)),
    };
    if level >= 100 {
        format!(
            "You have used 100% of your monthly {what} ({total_s}). Further use is charged per your tariff. MTS"
        )
    } else {
        format!("You have used {level}% of your monthly {what}: {left_s} of {total_s} left. MTS")
    }
}

fn gb(mb: i64) -> String {
    format!("{}.{} GB", mb / 1024, mb % 1024 * 10 / 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acc11_thresholds_and_texts() {
        assert_eq!(threshold(79, 100), 0);
        assert_eq!(threshold(80, 100), 80);
        assert_eq!(threshold(150, 100), 100);
        assert_eq!(threshold(5, 0), 0);
        assert_eq!(
            notice_text(UsageKind::Data, 80, 12_288, 15_360),
            "You have used 80% of your monthly internet package: 3.0 GB of 15.0 GB left. MTS"
        );
    }
}
