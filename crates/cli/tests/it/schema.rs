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

bilan_testkit::db_test!(every_table_is_registered_or_belongs_to_no_workspace, |t| async move {
    // A migration that adds a workspace table must register it (copy, purge, GDPR).
    let mut pc = t.app.db.acquire().await.unwrap();
    let mut c = pc.conn();
    let tables = bilan_db::tables::schema_tables(&mut c).await.unwrap();
    let columns = bilan_db::schema_columns(&mut c).await.unwrap();
    for table in &tables {
        let registered = bilan_db::tables::find(table).is_some();
        let installation = bilan_db::tables::INSTALLATION_TABLES.contains(&table.as_str());
        assert!(
            registered || installation,
            "table {table} is in no registry: add it to bilan_db::tables::WORKSPACE_TABLES"
        );
        let has_workspace = columns.iter().any(|(t, c)| t == table && c == "workspace_id");
        assert_eq!(registered, has_workspace, "{table}: registered iff it has workspace_id");
    }
    for t in bilan_db::tables::WORKSPACE_TABLES {
        assert!(
            tables.iter().any(|x| x == t.name),
            "{} is registered but not in the schema",
            t.name
        );
        for col in t.personal {
            assert!(
                columns.iter().any(|(tb, c)| tb == t.name && c == col),
                "{}.{col} is listed as personal but does not exist",
                t.name
            );
        }
    }
});
