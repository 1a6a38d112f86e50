//! The call detail (ACC-5, CACHE-2): replaced whole at each sync, then filtered, searched and
//! totalled from its indexes.

use mymts_proto::wire::{CallRecord, CallTotals, Direction, KindTotals, RecordKind};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params, params_from_iter};

use super::Cache;
use crate::domain::CallFilter;
use crate::error::CoreResult;

pub(super) fn page_sql(where_clause: &str) -> String {
    format!(
        "SELECT id, at_ms, kind, direction, party, duration_s, volume_kb, cost_kop FROM calls
         WHERE {where_clause} ORDER BY at_ms DESC, id DESC LIMIT ? OFFSET ?"
    )
}

pub(super) fn totals_sql(where_clause: &str, search: bool) -> String {
    // A number search reads every party: one pass over the table beats walking the kind index
    // and seeking each row for its party, which SQLite would otherwise pick to avoid a sort.
    let group = if search { "+kind" } else { "kind" };
    format!(
        "SELECT kind, COUNT(*), SUM(duration_s), SUM(volume_kb), SUM(cost_kop) FROM calls
         WHERE {where_clause} GROUP BY {group}"
    )
}

/// The writer's page cache while it replaces the call detail (KiB, as `cache_size` takes it
/// negative): 100,000 rows and their indexes are about 14 MB.
const WRITE_CACHE_KIB: i64 = -32_768;
/// SQLite's default page cache (2 MiB).
const DEFAULT_CACHE_KIB: i64 = -2_000;

impl Cache {
    /// Replaces the account's call detail with `records`, in one IMMEDIATE transaction: a crash
    /// leaves either the old set or the new one.
    pub fn replace_calls(
        &self,
        account: &str,
        records: &[CallRecord],
        fetched_ms: i64,
    ) -> CoreResult<()> {
        // In the table's key order (account, at_ms, id): each row lands at the right edge of the
        // b-tree, where SQLite fills pages whole instead of splitting them (the operator sends
        // newest first).
        let mut order: Vec<&CallRecord> = records.iter().collect();
        order.sort_unstable_by_key(|r| (r.at_ms, r.id));
        let mut c = self.conn()?;
        // Room for the whole call detail and its indexes while they are written, so pages are
        // not spilled to the WAL and read back before the commit; the default again after.
        c.pragma_update(None, "cache_size", WRITE_CACHE_KIB)?;
        let out = Self::replace_in_tx(&mut c, account, &order, fetched_ms);
        let reset = c.pragma_update(None, "cache_size", DEFAULT_CACHE_KIB);
        out?;
        reset?;
        Ok(())
    }

    fn replace_in_tx(
        c: &mut Connection,
        account: &str,
        order: &[&CallRecord],
        fetched_ms: i64,
    ) -> CoreResult<()> {
        let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM calls WHERE account = ?1", params![account])?;
        crate::fail_point!("core::cache::inside_write_tx");
        {
            let mut st = tx.prepare_cached(
                "INSERT OR REPLACE INTO calls (account, at_ms, id, kind, direction, party, duration_s, volume_kb, cost_kop)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            // The account is bound once; each row rebinds only its own columns.
            st.raw_bind_parameter(1, account)?;
            for r in order {
                st.raw_bind_parameter(2, r.at_ms)?;
                st.raw_bind_parameter(3, r.id)?;
                st.raw_bind_parameter(4, r.kind.as_str())?;
                st.raw_bind_parameter(5, r.direction.as_str())?;
                st.raw_bind_parameter(6, r.party.as_str())?;
                st.raw_bind_parameter(7, r.duration_s)?;
                st.raw_bind_parameter(8, r.volume_kb)?;
                st.raw_bind_parameter(9, r.cost_kop)?;
                st.raw_execute()?;
            }
        }
        tx.execute(
            "INSERT INTO calls_sync (account, fetched_ms, rows) VALUES (?1, ?2, ?3)
             ON CONFLICT (account) DO UPDATE SET fetched_ms = ?2, rows = ?3",
            params![
                account,
                fetched_ms,
                i64::try_from(order.len()).unwrap_or(i64::MAX)
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// When the call detail was last fetched, and how many rows it had.
    pub fn calls_synced(&self, account: &str) -> CoreResult<Option<(i64, i64)>> {
        self.read(|c| synced(c, account))
    }

    /// What the call-detail screen shows, from one committed state of the cache: when it was
    /// synced, a page of what `f` matches and the totals. `None` before the first sync.
    pub fn calls_view(
        &self,
        account: &str,
        f: &CallFilter,
        limit: u32,
        offset: u32,
    ) -> CoreResult<Option<(i64, Vec<CallRecord>, CallTotals)>> {
        self.read(|c| {
            let Some((fetched_ms, _)) = synced(c, account)? else {
                return Ok(None);
            };
            let (records, totals) = if searches(f) {
                search_view(c, account, f, limit, offset)?
            } else {
                (query(c, account, f, limit, offset)?, totals(c, account, f)?)
            };
            Ok(Some((fetched_ms, records, totals)))
        })
    }

    pub(super) fn where_clause(
        account: &str,
        f: &CallFilter,
    ) -> (String, Vec<rusqlite::types::Value>) {
        use rusqlite::types::Value;
        let mut sql = String::from("account = ?");
        let mut args = vec![Value::Text(account.to_string())];
        if let Some(from) = f.from_ms {
            sql.push_str(" AND at_ms >= ?");
            args.push(Value::Integer(from));
        }
        if let Some(to) = f.to_ms {
            sql.push_str(" AND at_ms < ?");
            args.push(Value::Integer(to));
        }
        if let Some(k) = f.kind {
            sql.push_str(" AND kind = ?");
            args.push(Value::Text(k.as_str().to_string()));
        }
        if let Some(s) = f.search.as_deref() {
            let digits: String = s.chars().filter(|c| c.is_ascii_digit()).collect();
            if !digits.is_empty() {
                sql.push_str(" AND instr(party, ?) > 0");
                args.push(Value::Text(digits));
            }
        }
        (sql, args)
    }

    /// Records matching `f`, newest first, at most `limit`, skipping `offset`.
    pub fn query_calls(
        &self,
        account: &str,
        f: &CallFilter,
        limit: u32,
        offset: u32,
    ) -> CoreResult<Vec<CallRecord>> {
        self.read(|c| query(c, account, f, limit, offset))
    }

    /// Totals of the records matching `f`, by kind.
    pub fn call_totals(&self, account: &str, f: &CallFilter) -> CoreResult<CallTotals> {
        self.read(|c| totals(c, account, f))
    }
}

/// A stored direction (as [`Direction::as_str`] wrote it); anything else reads as outgoing.
fn direction_of(stored: &str) -> Direction {
    if stored == Direction::Incoming.as_str() {
        Direction::Incoming
    } else {
        Direction::Outgoing
    }
}

fn synced(c: &Connection, account: &str) -> CoreResult<Option<(i64, i64)>> {
    Ok(c.query_row(
        "SELECT fetched_ms, rows FROM calls_sync WHERE account = ?1",
        params![account],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

fn query(
    c: &Connection,
    account: &str,
    f: &CallFilter,
    limit: u32,
    offset: u32,
) -> CoreResult<Vec<CallRecord>> {
    let (w, mut args) = Cache::where_clause(account, f);
    args.push(rusqlite::types::Value::Integer(i64::from(limit)));
    args.push(rusqlite::types::Value::Integer(i64::from(offset)));
    let sql = page_sql(&w);
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, at_ms, kind, dir, party, duration_s, volume_kb, cost_kop) = row?;
        let Some(kind) = RecordKind::parse(&kind) else {
            continue;
        };
        out.push(CallRecord {
            id,
            at_ms,
            kind,
            direction: direction_of(&dir),
            party,
            duration_s,
            volume_kb,
            cost_kop,
        });
    }
    Ok(out)
}

fn totals(c: &Connection, account: &str, f: &CallFilter) -> CoreResult<CallTotals> {
    let (w, args) = Cache::where_clause(account, f);
    let sql = totals_sql(&w, f.search.is_some());
    let mut st = c.prepare_cached(&sql)?;
    let rows = st.query_map(params_from_iter(args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            KindTotals {
                count: r.get(1)?,
                duration_s: r.get::<_, Option<i64>>(2)?.unwrap_or(0),
                volume_kb: r.get::<_, Option<i64>>(3)?.unwrap_or(0),
                cost_kop: r.get::<_, Option<i64>>(4)?.unwrap_or(0),
            },
        ))
    })?;
    let mut t = CallTotals::default();
    for row in rows {
        let (kind, k) = row?;
        t.all.count += k.count;
        t.all.duration_s += k.duration_s;
        t.all.volume_kb += k.volume_kb;
        t.all.cost_kop += k.cost_kop;
        match RecordKind::parse(&kind) {
            Some(RecordKind::Call) => t.call = k,
            Some(RecordKind::Sms) => t.sms = k,
            Some(RecordKind::Data) => t.data = k,
            None => {}
        }
    }
    Ok(t)
}

/// Whether `f` searches the party: then every row is read whatever the plan (a number matches
/// anywhere in the party), and [`search_view`] reads them once for the page and the totals.
fn searches(f: &CallFilter) -> bool {
    f.search
        .as_deref()
        .is_some_and(|s| s.chars().any(|c| c.is_ascii_digit()))
}

fn record_kind_totals(t: &mut CallTotals, kind: Option<RecordKind>, d: i64, v: i64, cost: i64) {
    for k in [
        Some(&mut t.all),
        match kind {
            Some(RecordKind::Call) => Some(&mut t.call),
            Some(RecordKind::Sms) => Some(&mut t.sms),
            Some(RecordKind::Data) => Some(&mut t.data),
            None => None,
        },
    ]
    .into_iter()
    .flatten()
    {
        k.count += 1;
        k.duration_s += d;
        k.volume_kb += v;
        k.cost_kop += cost;
    }
}

/// A search's page and totals in one pass over the matching rows, newest first: the same answer
/// as [`query`] and [`totals`], which would each read the whole table (issue 14: a search while a
/// sync runs shares two cores with it).
fn search_view(
    c: &Connection,
    account: &str,
    f: &CallFilter,
    limit: u32,
    offset: u32,
) -> CoreResult<(Vec<CallRecord>, CallTotals)> {
    let (w, args) = Cache::where_clause(account, f);
    let sql = format!(
        "SELECT id, at_ms, kind, direction, party, duration_s, volume_kb, cost_kop FROM calls
         WHERE {w} ORDER BY at_ms DESC, id DESC"
    );
    let mut st = c.prepare_cached(&sql)?;
    let mut rows = st.query(params_from_iter(args))?;
    let (from, to) = (
        u64::from(offset),
        u64::from(offset).saturating_add(u64::from(limit)),
    );
    let mut out = Vec::new();
    let mut totals = CallTotals::default();
    let mut i: u64 = 0;
    while let Some(r) = rows.next()? {
        let kind = r.get_ref(2)?.as_str().ok().and_then(RecordKind::parse);
        let (duration_s, volume_kb, cost_kop) = (r.get(5)?, r.get(6)?, r.get(7)?);
        record_kind_totals(&mut totals, kind, duration_s, volume_kb, cost_kop);
        if (from..to).contains(&i)
            && let Some(kind) = kind
        {
            out.push(CallRecord {
                id: r.get(0)?,
                at_ms: r.get(1)?,
                kind,
                direction: direction_of(r.get_ref(3)?.as_str().unwrap_or_default()),
                party: r.get(4)?,
                duration_s,
                volume_kb,
                cost_kop,
            });
        }
        i += 1;
    }
    Ok((out, totals))
}
