//! SEC-5, the operator's part: a stable identity in `/v1/info`, made with its database, that
//! clients bind their refresh tokens to.

mod common;

use mymts_operator::{Config, start};
use mymts_proto::wire::OperatorInfo;

async fn identity(config: Config) -> String {
    let op = start(config).await.expect("operator starts");
    let info: OperatorInfo = common::client()
        .get(format!("{}/v1/info", op.api_url))
        .send()
        .await
        .expect("info")
        .json()
        .await
        .expect("json");
    op.stop().await;
    info.operator_id
}

#[tokio::test]
async fn sec5_identity_is_stable_with_its_database_and_differs_between_databases() {
    let a = tempfile::tempdir().expect("tmp");
    let b = tempfile::tempdir().expect("tmp");
    let first = identity(Config::embedded(a.path())).await;
    assert!(
        first.starts_with("op-") && first.len() > 20,
        "an identity worth binding to: {first}"
    );
    assert_eq!(
        identity(Config::embedded(a.path())).await,
        first,
        "the same database, the same identity after a restart"
    );
    assert_ne!(
        identity(Config::embedded(b.path())).await,
        first,
        "another database, another operator"
    );
    assert_ne!(identity(Config::ephemeral()).await, first);
}
