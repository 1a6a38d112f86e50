//! How fast the SMS centre delivers (docs/perf.md), on loopback: a queued SMS to the phone's live
//! inbox stream, a held SMS once airplane mode is turned off, and how closely an injected delivery
//! delay is kept. The tests check that these happen; this measures how fast.
//! `cargo bench -p mymts-operator --bench sms_delivery`.

use futures_util::StreamExt;
use mymts_operator::Running;
use mymts_proto::wire::Faults;
use std::time::{Duration, Instant};

const ROUNDS: usize = 40;
/// The injected delay of the third measurement.
const DELAY_MS: u64 = 400;

async fn queue(run: &Running, text: &str) -> Option<()> {
    let (st, text) = (run.state.clone(), text.to_string());
    let faults = run.state.faults();
    let phone = mymts_operator::seed::ANNA;
    run.state
        .db
        .tx(move |tx| {
            mymts_operator::ops::sms_centre::queue_sms(
                tx,
                &st.key,
                &faults,
                st.now_ms(),
                phone,
                "3339",
                &text,
            )
        })
        .await
        .ok()?;
    run.state.delivery_wake.notify_one();
    Some(())
}

async fn airplane(http: &reqwest::Client, run: &Running, on: bool) -> Option<()> {
    let phone = mymts_operator::seed::ANNA;
    let r = http
        .patch(format!("{}/sim/phones/{phone}", run.world_url))
        .json(&serde_json::json!({"airplane": on}))
        .send()
        .await
        .ok()?;
    r.status().is_success().then_some(())
}

/// Waits for the next `sms` event on the stream; `None` after 5 s or when the stream ends.
async fn next_sms<S, B>(events: &mut S) -> Option<()>
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    let deadline = tokio::time::sleep(Duration::from_secs(5));
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            chunk = events.next() => match chunk {
                Some(Ok(bytes)) if String::from_utf8_lossy(bytes.as_ref()).contains("event: sms") => return Some(()),
                Some(Ok(_)) => continue,
                _ => return None,
            },
            () = &mut deadline => return None,
        }
    }
}

fn report(what: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        println!("{what}: no samples");
        return;
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = samples.len();
    println!(
        "{what}: median {:.2} ms, p95 {:.2} ms, max {:.2} ms ({n} rounds)",
        ms(samples[n / 2]),
        ms(samples[n * 95 / 100]),
        ms(samples[n - 1])
    );
}

async fn measure(run: &Running) -> Option<()> {
    let http = reqwest::Client::new();
    let phone = mymts_operator::seed::ANNA;
    let resp = http
        .get(format!("{}/sim/phones/{phone}/stream", run.world_url))
        .send()
        .await
        .ok()?;
    let mut events = Box::pin(resp.bytes_stream());

    let mut queued = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        let t = Instant::now();
        queue(run, &format!("Your code: {i:06}")).await?;
        next_sms(&mut events).await?;
        queued.push(t.elapsed());
    }
    report("queued SMS → the phone's live inbox stream", queued);

    let mut released = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        airplane(&http, run, true).await?;
        queue(run, &format!("held {i}")).await?;
        let t = Instant::now();
        airplane(&http, run, false).await?;
        next_sms(&mut events).await?;
        released.push(t.elapsed());
    }
    report("airplane mode off → the held SMS in the stream", released);

    if let Ok(mut f) = run.state.faults.write() {
        *f = Faults {
            sms_delay_ms: DELAY_MS,
            ..Faults::default()
        };
    }
    let mut late = Vec::with_capacity(ROUNDS / 4);
    for i in 0..ROUNDS / 4 {
        let t = Instant::now();
        queue(run, &format!("late {i}")).await?;
        next_sms(&mut events).await?;
        late.push(t.elapsed().saturating_sub(Duration::from_millis(DELAY_MS)));
    }
    report(
        &format!("an injected {DELAY_MS} ms delay: delivered this long after it"),
        late,
    );
    Some(())
}

#[tokio::main]
async fn main() {
    let Ok(run) = mymts_operator::start(mymts_operator::Config {
        // The world door without a token: this loopback measurement is its only client.
        world_token: None,
        ..mymts_operator::Config::ephemeral()
    })
    .await
    else {
        eprintln!("operator did not start");
        return;
    };
    if measure(&run).await.is_none() {
        eprintln!("a round failed (no stream, no SMS within 5 s, or a refused request)");
    }
    run.stop().await;
}
