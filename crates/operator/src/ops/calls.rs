//! Call detail, the "printout" (ACC-5): pages, totals, the monthly spending chart, and the CSV
//! ordered by e-mail. Fast with 100,000 records: every query walks `calls_by_time` or
//! `calls_by_kind` from the newest record, and pages are keysets, never OFFSETs.

use axum::extract::State;
use base64::Engine;
use mymts_proto::wire::{
    CallFilter, CallPage, CallQuery, CallRecord, CallTotals, Direction, KindTotals, MonthSpend,
    PrintoutOrdered, RecordKind,
};
use mymts_proto::{ApiErrorBody, ErrorCode};
use rusqlite::types::Value;
use rusqlite::{Transaction, params, params_from_iter};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::http::extract::{Json, Query};
use crate::http::session::Authed;
use crate::ops::mail::{Letter, deliver_mail};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_calls))
        .routes(routes!(call_totals))
        .routes(routes!(monthly))
        .routes(routes!(order_printout))
}

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 5000;

// ---------------------------------------------------------------------------------------------
// Months in Moscow time
// ---------------------------------------------------------------------------------------------

/// A calendar month by the operator's (Moscow) calendar: `[start_ms, end_ms)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    pub period: String,
    pub start_ms: i64,
    pub end_ms: i64,
}

/// The last `n` months up to and including the one `now_ms` is in, oldest first.
pub fn months(now_ms: i64, n: u32) -> Vec<Month> {
    let tz = mymts_proto::time::moscow();
    let Ok(ts) = jiff::Timestamp::from_millisecond(now_ms) else {
        return Vec::new();
    };
    let this = ts.to_zoned(tz.clone()).date().first_of_month();
    let start_of = |back: i64| -> Option<i64> {
        let d = this.checked_sub(jiff::Span::new().months(back)).ok()?;
        Some(d.to_zoned(tz.clone()).ok()?.timestamp().as_millisecond())
    };
    (0..i64::from(n))
        .rev()
        .filter_map(|back| {
            let start_ms = start_of(back)?;
            let end_ms = start_of(back - 1)?;
            Some(Month {
                period: mymts_proto::time::period_of(start_ms),
                start_ms,
                end_ms,
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Filters and cursors
// ---------------------------------------------------------------------------------------------

/// A validated filter: period, kind, and the digits to search the party for.
#[derive(Debug, Clone, Default)]
struct Filter {
    from_ms: Option<i64>,
    to_ms: Option<i64>,
    kind: Option<RecordKind>,
    digits: Option<String>,
}

impl Filter {
    fn new(f: &CallFilter) -> ApiResult<Self> {
        let CallFilter {
            from_ms,
            to_ms,
            kind,
            search,
        } = f;
        let (from_ms, to_ms, kind) = (*from_ms, *to_ms, *kind);
        if let (Some(f), Some(t)) = (from_ms, to_ms)
            && f > t
        {
            return Err(ApiError::invalid(
                "from_ms",
                "The period starts after it ends.",
            ));
        }
        Ok(Self {
            from_ms,
            to_ms,
            kind,
            digits: search_digits(search.as_deref())?,
        })
    }

    /// The WHERE clause and its values. Starts with `account_id` (and `kind`), the leading columns
    /// of the two indexes, so SQLite walks an index rather than the table.
    fn sql(&self, account_id: i64) -> (String, Vec<Value>) {
        let mut clause = String::from("account_id = ?");
        let mut values = vec![Value::Integer(account_id)];
        if let Some(k) = self.kind {
            clause.push_str(" AND kind = ?");
            values.push(Value::Text(k.as_str().into()));
        }
        if let Some(f) = self.from_ms {
            clause.push_str(" AND at_ms >= ?");
            values.push(Value::Integer(f));
        }
        if let Some(t) = self.to_ms {
            clause.push_str(" AND at_ms < ?");
            values.push(Value::Integer(t));
        }
        if let Some(d) = &self.digits {
            // Only digits reach the pattern, so LIKE's own wildcards cannot be smuggled in.
            clause.push_str(" AND party LIKE ?");
            values.push(Value::Text(format!("%{d}%")));
        }
        (clause, values)
    }

    fn index(&self) -> &'static str {
        if self.kind.is_some() {
            "calls_by_kind"
        } else {
            "calls_by_time"
        }
    }
}

/// The digits of a search: people type numbers with `+`, spaces, dashes and brackets; anything
/// else is not a number and is refused rather than silently dropped.
fn search_digits(search: Option<&str>) -> ApiResult<Option<String>> {
    let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if s.chars().count() > 32
        || !s
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'))
    {
        return Err(ApiError::invalid(
            "search",
            "Search by the digits of a phone number.",
        ));
    }
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    Ok((!digits.is_empty()).then_some(digits))
}

fn encode_cursor(at_ms: i64, id: i64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("c1:{at_ms}:{id}"))
}

fn decode_cursor(cursor: &str) -> ApiResult<(i64, i64)> {
    let bad = || ApiError::bad_request("The cursor is not valid. Start again from the first page.");
    if cursor.len() > 64 {
        return Err(bad());
    }
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let mut parts = text.strip_prefix("c1:").ok_or_else(bad)?.split(':');
    let at = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    let id = parts.next().and_then(|p| p.parse().ok()).ok_or_else(bad)?;
    if parts.next().is_some() {
        return Err(bad());
    }
    Ok((at, id))
}

fn page_limit(limit: Option<u32>) -> ApiResult<u32> {
    match limit.unwrap_or(DEFAULT_LIMIT) {
        l @ 1..=MAX_LIMIT => Ok(l),
        _ => Err(ApiError::invalid(
            "limit",
            format!("The page size is 1 to {MAX_LIMIT}."),
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Queries
// ---------------------------------------------------------------------------------------------

const RECORD_COLUMNS: &str = "id, at_ms, kind, direction, party, duration_s, volume_kb, cost_kop";

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CallRecord> {
    let kind: String = r.get(2)?;
    let direction: String = r.get(3)?;
    Ok(CallRecord {
        id: r.get(0)?,
        at_ms: r.get(1)?,
        kind: RecordKind::parse(&kind).unwrap_or(RecordKind::Call),
        direction: if direction == "incoming" {
            Direction::Incoming
        } else {
            Direction::Outgoing
        },
        party: r.get(4)?,
        duration_s: r.get(5)?,
        volume_kb: r.get(6)?,
        cost_kop: r.get(7)?,
    })
}

/// Records newest first, after `cursor` when given; at most `limit` (`None` = all).
fn select_records(
    tx: &Transaction<'_>,
    account_id: i64,
    filter: &Filter,
    cursor: Option<(i64, i64)>,
    limit: Option<u32>,
) -> ApiResult<Vec<CallRecord>> {
    let (mut clause, mut values) = filter.sql(account_id);
    if let Some((at, id)) = cursor {
        clause.push_str(" AND (at_ms, id) < (?, ?)");
        values.push(Value::Integer(at));
        values.push(Value::Integer(id));
    }
    let limit = limit.map_or(-1, i64::from);
    values.push(Value::Integer(limit));
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM calls INDEXED BY {} WHERE {clause}
         ORDER BY at_ms DESC, id DESC LIMIT ?",
        filter.index()
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let rows = stmt.query_map(params_from_iter(values), record_from_row)?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn select_totals(tx: &Transaction<'_>, account_id: i64, filter: &Filter) -> ApiResult<CallTotals> {
    let (clause, values) = filter.sql(account_id);
    let sql = format!(
        "SELECT kind, COUNT(*), TOTAL(duration_s), TOTAL(volume_kb), TOTAL(cost_kop)
         FROM calls INDEXED BY {} WHERE {clause} GROUP BY kind",
        filter.index()
    );
    let mut stmt = tx.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut totals = CallTotals::default();
    while let Some(r) = rows.next()? {
        let kind: String = r.get(0)?;
        // TOTAL() is a float; every summand is an integer far below 2^53, so this is exact.
        let t = KindTotals {
            count: r.get(1)?,
            duration_s: r.get::<_, f64>(2)? as i64,
            volume_kb: r.get::<_, f64>(3)? as i64,
            cost_kop: r.get::<_, f64>(4)? as i64,
        };
        add(&mut totals.all, &t);
        match RecordKind::parse(&kind) {
            Some(RecordKind::Call) => totals.call = t,
            Some(RecordKind::Sms) => totals.sms = t,
            Some(RecordKind::Data) => totals.data = t,
            None => {}
        }
    }
    Ok(totals)
}

fn add(sum: &mut KindTotals, t: &KindTotals) {
    sum.count += t.count;
    sum.duration_s += t.duration_s;
    sum.volume_kb += t.volume_kb;
    sum.cost_kop += t.cost_kop;
}

fn month_spend(tx: &Transaction<'_>, account_id: i64, m: Month) -> ApiResult<MonthSpend> {
    let mut spend = MonthSpend {
        month: m.period,
        calls_kop: 0,
        sms_kop: 0,
        data_kop: 0,
        subscriptions_kop: 0,
    };
    let mut stmt = tx.prepare_cached(
        "SELECT kind, TOTAL(cost_kop) FROM calls INDEXED BY calls_by_time
         WHERE account_id = ?1 AND at_ms >= ?2 AND at_ms < ?3 GROUP BY kind",
    )?;
    let mut rows = stmt.query(params![account_id, m.start_ms, m.end_ms])?;
    while let Some(r) = rows.next()? {
        let cost = r.get::<_, f64>(1)? as i64;
        match RecordKind::parse(&r.get::<_, String>(0)?) {
            Some(RecordKind::Call) => spend.calls_kop = cost,
            Some(RecordKind::Sms) => spend.sms_kop = cost,
            Some(RecordKind::Data) => spend.data_kop = cost,
            None => {}
        }
    }
    spend.subscriptions_kop = tx.query_row(
        "SELECT COALESCE(SUM(amount_kop), 0) FROM charges
         WHERE account_id = ?1 AND at_ms >= ?2 AND at_ms < ?3",
        params![account_id, m.start_ms, m.end_ms],
        |r| r.get(0),
    )?;
    Ok(spend)
}

// ---------------------------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------------------------

/// Call detail, newest first, one page at a time (ACC-5).
#[utoipa::path(get, path = "/v1/calls", tag = "calls", params(CallQuery),
    responses((status = 200, body = CallPage),
              (status = 400, body = ApiErrorBody, description = "bad cursor, limit, period or search"),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn list_calls(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<CallQuery>,
) -> ApiResult<axum::Json<CallPage>> {
    let filter = Filter::new(&q.filter())?;
    let limit = page_limit(q.limit)?;
    let cursor = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let account_id = authed.account_id;
    let page = state
        .db
        .tx(move |tx| {
            let mut records = select_records(tx, account_id, &filter, cursor, Some(limit + 1))?;
            let more = records.len() > limit as usize;
            records.truncate(limit as usize);
            let next_cursor = records
                .last()
                .filter(|_| more)
                .map(|r| encode_cursor(r.at_ms, r.id));
            Ok(CallPage {
                records,
                next_cursor,
            })
        })
        .await?;
    Ok(axum::Json(page))
}

/// Counts, durations, volumes and costs per kind for the same filters as `/v1/calls` (ACC-5).
#[utoipa::path(get, path = "/v1/calls/totals", tag = "calls", params(CallQuery),
    responses((status = 200, body = CallTotals),
              (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody)))]
async fn call_totals(
    State(state): State<AppState>,
    authed: Authed,
    Query(q): Query<CallQuery>,
) -> ApiResult<axum::Json<CallTotals>> {
    let filter = Filter::new(&q.filter())?;
    let account_id = authed.account_id;
    let totals = state
        .db
        .tx(move |tx| select_totals(tx, account_id, &filter))
        .await?;
    Ok(axum::Json(totals))
}

/// Spending of the last six months by kind, oldest first, for the chart (ACC-5).
#[utoipa::path(get, path = "/v1/calls/monthly", tag = "calls",
    responses((status = 200, body = [MonthSpend]),
              (status = 401, body = ApiErrorBody), (status = 403, body = ApiErrorBody)))]
async fn monthly(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<axum::Json<Vec<MonthSpend>>> {
    let account_id = authed.account_id;
    let now = state.now_ms();
    let spend = state
        .db
        .tx(move |tx| {
            months(now, 6)
                .into_iter()
                .map(|m| month_spend(tx, account_id, m))
                .collect::<ApiResult<Vec<_>>>()
        })
        .await?;
    Ok(axum::Json(spend))
}

/// Mails the printout as `calls.csv` to the account's recovery e-mail (ACC-5).
#[utoipa::path(post, path = "/v1/calls/order", tag = "calls", request_body = CallFilter,
    responses((status = 200, body = PrintoutOrdered),
              (status = 400, body = ApiErrorBody), (status = 401, body = ApiErrorBody),
              (status = 403, body = ApiErrorBody, description = "no_recovery_email"),
              (status = 409, body = ApiErrorBody, description = "mailbox_full")))]
async fn order_printout(
    State(state): State<AppState>,
    authed: Authed,
    Json(order): Json<CallFilter>,
) -> ApiResult<axum::Json<PrintoutOrdered>> {
    let filter = Filter::new(&order)?;
    let now = state.now_ms();
    let st = state.clone();
    let (ordered, mail) = state
        .db
        .tx(move |tx| mail_printout(tx, &st, now, &authed, &filter))
        .await?;
    if let Some(mail) = mail {
        crate::ops::mail::announce_mail(&state, &ordered.email, mail);
    }
    Ok(axum::Json(ordered))
}

fn mail_printout(
    tx: &Transaction<'_>,
    state: &AppState,
    now: i64,
    authed: &Authed,
    filter: &Filter,
) -> ApiResult<(PrintoutOrdered, Option<mymts_proto::wire::Mail>)> {
    let email = crate::db::accounts::recovery_email(tx, authed.account_id)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoRecoveryEmail,
            "Set a recovery e-mail in Settings first: the printout is sent there.",
        )
    })?;
    let records = select_records(tx, authed.account_id, filter, None, None)?;
    let csv = to_csv(&records)?;
    let subject = format!("Call detail for {}", authed.login);
    let body = format!(
        "The call detail you ordered is attached: {} records.\nMTS",
        records.len()
    );
    let mail = deliver_mail(
        tx,
        &state.key,
        now,
        &Letter {
            to: &email,
            from: mymts_proto::PRINTOUT_MAIL_SENDER,
            subject: &subject,
            body: &body,
            attachment: Some(("calls.csv", "text/csv", &csv)),
        },
    )?;
    crate::audit::record(
        tx,
        now,
        &authed.actor(),
        "printout_ordered",
        &format!("{} records", records.len()),
    )?;
    Ok((
        PrintoutOrdered {
            email,
            records: records.len() as i64,
        },
        mail,
    ))
}

/// The CSV: one header row, then one row per record; times in Moscow time, costs in roubles.
fn to_csv(records: &[CallRecord]) -> ApiResult<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(records.len() * 64));
    w.write_record([
        "time",
        "kind",
        "direction",
        "party",
        "duration_s",
        "volume_kb",
        "cost_rub",
    ])
    .map_err(ApiError::internal)?;
    let tz = mymts_proto::time::moscow();
    for r in records {
        let time = jiff::Timestamp::from_millisecond(r.at_ms)
            .map(|t| {
                t.to_zoned(tz.clone())
                    .strftime("%Y-%m-%d %H:%M:%S")
                    .to_string()
            })
            .unwrap_or_default();
        let direction = r.direction.as_str();
        let cost = format!("{}.{:02}", r.cost_kop / 100, (r.cost_kop % 100).abs());
        w.write_record([
            time.as_str(),
            r.kind.as_str(),
            direction,
            r.party.as_str(),
            &r.duration_s.to_string(),
            &r.volume_kb.to_string(),
            &cost,
        ])
        .map_err(ApiError::internal)?;
    }
    w.into_inner().map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode_cursor(1_700_000_000_000, 42);
        assert_eq!(decode_cursor(&c).ok(), Some((1_700_000_000_000, 42)));
        for bad in ["", "!!!", "YWJj", &"A".repeat(500), "YzE6MTox0jM"] {
            assert!(decode_cursor(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_keeps_digits_and_refuses_sql_metacharacters() {
        assert_eq!(
            search_digits(Some("+7 (916) 123-45")).ok().flatten(),
            Some("791612345".to_string())
        );
        for bad in ["%", "'", "_", "1%' OR 1=1 --", "91_6"] {
            assert!(search_digits(Some(bad)).is_err(), "{bad}");
        }
        assert_eq!(search_digits(Some("  ")).ok().flatten(), None);
    }

    #[test]
    fn acc5_csv_has_a_header_and_one_row_per_record() {
        let r = CallRecord {
            id: 1,
            at_ms: 1_772_312_400_000,
            kind: RecordKind::Call,
            direction: Direction::Incoming,
            party: "+79161234567".into(),
            duration_s: 61,
            volume_kb: 0,
            cost_kop: 305,
        };
        let csv =
            String::from_utf8(to_csv(&[r.clone(), r]).unwrap_or_default()).unwrap_or_default();
        let lines: Vec<_> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "time,kind,direction,party,duration_s,volume_kb,cost_rub"
        );
        assert_eq!(
            lines[1],
            "2026-03-01 00:00:00,call,incoming,+79161234567,61,0,3.05"
        );
    }

    #[test]
    fn months_are_six_consecutive_moscow_months() {
        // 2026-03-15 12:00 UTC.
        let m = months(1_773_576_000_000, 6);
        let periods: Vec<_> = m.iter().map(|m| m.period.as_str()).collect();
        assert_eq!(
            periods,
            [
                "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"
            ]
        );
        assert!(m.windows(2).all(|w| w[0].end_ms == w[1].start_ms));
        // Midnight in Moscow is 21:00 UTC the day before.
        assert_eq!(m[5].start_ms, 1_772_312_400_000);
    }
}
