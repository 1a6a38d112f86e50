//! From the SMS-password request to the code in the phone's live inbox stream, on loopback
//! (docs/perf.md; the bar is 50 ms). `cargo bench -p mymts-operator --bench code_latency`.

use futures_util::StreamExt;
use std::time::{Duration, Instant};

const ROUNDS: usize = 40;

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
    let http = reqwest::Client::new();
    let phone = mymts_operator::seed::ANNA;
    let Ok(resp) = http
        .get(format!("{}/sim/phones/{phone}/stream", run.world_url))
        .send()
        .await
    else {
        eprintln!("no stream");
        return;
    };
    let mut stream = resp.bytes_stream();
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        // Past the resend limits and the code's life, so every round sends a fresh code.
        run.state.clock.advance(61 * 60 * 1000);
        let Ok(captcha) = http
            .post(format!("{}/v1/captcha", run.api_url))
            .send()
            .await
        else {
            return;
        };
        let Ok(captcha) = captcha.json::<serde_json::Value>().await else {
            return;
        };
        let id = captcha["id"].as_str().unwrap_or_default().to_string();
        let answer =
            mymts_operator::ops::auth::captcha::answer_of(&run.state, &id).unwrap_or_default();
        let body = serde_json::json!({"phone": phone, "captcha_id": id, "captcha_answer": answer});
        let started = Instant::now();
        let Ok(r) = http
            .post(format!("{}/v1/auth/sms-password", run.api_url))
            .json(&body)
            .send()
            .await
        else {
            return;
        };
        if !r.status().is_success() {
            eprintln!("request refused: {}", r.status());
            return;
        }
        let deadline = tokio::time::sleep(Duration::from_secs(5));
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                chunk = stream.next() => match chunk {
                    Some(Ok(bytes)) if String::from_utf8_lossy(&bytes).contains("event: sms") => break,
                    Some(Ok(_)) => continue,
                    _ => { eprintln!("stream ended"); return; }
                },
                () = &mut deadline => { eprintln!("no SMS within 5 s"); return; }
            }
        }
        samples.push(started.elapsed());
    }
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("rounds: {ROUNDS}");
    println!(
        "request → SMS in the live inbox stream: median {:.2} ms, p95 {:.2} ms, max {:.2} ms",
        ms(samples[ROUNDS / 2]),
        ms(samples[ROUNDS * 95 / 100]),
        ms(samples[ROUNDS - 1])
    );
    run.stop().await;
}
