//! The operator's own sums of a call detail, to compare with what the screen shows (ACC-5).

use crate::Journey;

/// `(records, cost in kopecks)` of `login`'s call detail matching `cond` (`?2` is `arg`), as the
/// operator's database sums them.
pub async fn operator_totals(j: &Journey, login: &str, cond: &str, arg: String) -> (i64, i64) {
    let login = login.to_string();
    let sql = format!(
        "SELECT COUNT(*), COALESCE(SUM(c.cost_kop), 0) FROM calls c JOIN accounts a
         ON a.id = c.account_id WHERE a.login = ?1 AND {cond} AND (?2 = ?2)"
    );
    j.op.state
        .db
        .tx(move |tx| Ok(tx.query_row(&sql, [login, arg], |r| Ok((r.get(0)?, r.get(1)?)))?))
        .await
        .unwrap_or_else(|e| panic!("operator: {e:?}"))
}

/// The totals line as the call-detail screen writes it in English: "100,000 records · ₽1,234.00".
pub fn totals_text((n, cost_kop): (i64, i64)) -> String {
    let records = if n == 1 { "record" } else { "records" };
    format!(
        "{} {records} · {}",
        group(n),
        mymts_proto::money::format_rub(cost_kop, false)
    )
}

fn group(n: i64) -> String {
    let digits = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}
