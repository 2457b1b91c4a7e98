//! Both migration trees hold the same steps and end in the same schema.

use bilan_testkit::TestApp;

#[test]
fn both_trees_have_the_same_steps() {
    let names = |engine: &str| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/").to_owned() + engine;
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

async fn columns(t: &TestApp) -> Vec<(String, String)> {
    let mut pc = t.app.db.acquire().await.unwrap();
    let mut out = bilan_db::schema_columns(&mut pc.conn()).await.unwrap();
    // Generated search vectors exist only where PostgreSQL needs them for its GIN index.
    out.retain(|(_, c)| c != "search_vector");
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_end_in_the_same_schema() {
    let sqlite = TestApp::sqlite().await;
    let Some(pg) = TestApp::postgres().await else { return };
    assert_eq!(columns(&sqlite).await, columns(&pg).await);
}
