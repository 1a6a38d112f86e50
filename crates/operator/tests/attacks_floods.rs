//! One peer flooding a door cannot take every request slot from the others (issue 11, floods):
//! a binary of its own, so its hundreds of held connections slow no other test.

mod common;

use common::{client_from, code_of, op};
use reqwest::Method;
use serde_json::json;
use tokio::task::JoinSet;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn floods_one_peer_flooding_a_door_cannot_starve_another() {
    let op = op().await;
    // Every self-care request takes four seconds, so the flood's requests stay in flight.
    let (s, v) = op
        .send(
            op.world(Method::PUT, "/qa/faults")
                .json(&json!({"latency_ms": 4000})),
        )
        .await;
    assert!(s < 300, "{s} {v}");
    let flood = client_from(1);
    let mut set = JoinSet::new();
    for _ in 0..400 {
        let req = flood.get(op.url("/v1/info"));
        set.spawn(async move {
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let v: serde_json::Value = resp.json().await.unwrap_or_default();
            (status, code_of(&v).to_string())
        });
    }
    tokio::time::sleep(std::time::Duration::from_millis(2000)).await;
    let other = client_from(2);
    let resp = other.get(op.url("/v1/info")).send().await.expect("request");
    assert_eq!(
        resp.status().as_u16(),
        200,
        "the flood starved another peer"
    );
    let mut served = 0;
    while let Some(r) = set.join_next().await {
        let (status, code) = r.expect("task");
        if status == 200 {
            served += 1;
        } else {
            assert_eq!((status, code.as_str()), (429, "rate_limited"));
        }
    }
    assert!(
        served <= mymts_operator::http::limits::MAX_IN_FLIGHT_PER_PEER,
        "one peer had {served} requests in flight"
    );
    op.run.stop().await;
}
