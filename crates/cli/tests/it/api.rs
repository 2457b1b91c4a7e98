//! The API document and the operational endpoints.

use axum::http::{Method, StatusCode};
use bilan_domain::roles::Role;
use bilan_testkit::db_test;
use bilan_testkit::http::{api, send};

db_test!(openapi_and_ops_endpoints, |t| async move {
    let router = t.router();
    let get = |p: &str| {
        axum::http::Request::builder()
            .uri(p)
            .body(axum::body::Body::empty())
            .unwrap()
    };
    let doc = send(&router, get("/api/v1/openapi.json")).await;
    assert_eq!(doc.status, StatusCode::OK);
    let json = doc.json();
    for path in [
        "/api/v1/accounts",
        "/api/v1/accounts/{id}",
        "/api/v1/contacts",
        "/api/v1/users",
        "/api/v1/imports/accounts",
    ] {
        assert!(
            json["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert!(json["components"]["securitySchemes"]["bearer"].is_object());
    assert_eq!(
        json["components"]["schemas"]["AccountResponse"]["properties"]["version"]["type"],
        "integer"
    );
    assert_eq!(send(&router, get("/healthz")).await.status, StatusCode::OK);
    assert_eq!(send(&router, get("/readyz")).await.status, StatusCode::OK);
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let res = api(&router, Method::GET, "/api/v1/accounts", &token, None).await;
    assert!(res.headers.contains_key("x-request-id"));
    let metrics = send(&router, get("/metrics")).await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics.body.contains("http_requests_total"), "{}", metrics.body);
});

#[test]
fn openapi_document_matches_its_snapshot() {
    // The whole served document: a change to any operation shows in review.
    // Accept a deliberate change with BILAN_UPDATE_SNAPSHOTS=1.
    let doc = bilan_web::api::openapi::openapi_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/snapshots/openapi.json");
    if std::env::var_os("BILAN_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &doc).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != doc {
        let first = expected.lines().zip(doc.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "the OpenAPI document changed (line {}: {:?}); rerun with BILAN_UPDATE_SNAPSHOTS=1 if that is intended",
            first + 1,
            doc.lines().nth(first)
        );
    }
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let served: usize = v["paths"]
        .as_object()
        .unwrap()
        .values()
        .map(|p| p.as_object().unwrap().len())
        .sum();
    assert_eq!(served, 130, "operations");
}

db_test!(import_and_export_over_the_api, |t| async move {
    let router = t.router();
    let admin = t.with_user(Role::Admin).await;
    let token = t.token_for(&admin).await;
    let csv = "Company name,SIREN,City\nAcme Industrie,552032534,Lyon\nBroken,123,Paris\nAcme bis,552032534,Lyon\n";
    let post = |path: String| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "text/csv")
            .body(axum::body::Body::from(csv))
            .unwrap()
    };
    let refused = send(&router, post("/api/v1/imports/accounts".into())).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    let report = refused.json();
    assert_eq!(report["committed"], false);
    assert_eq!(report["rejected"][0]["line"], 3);
    assert_eq!(report["rejected"][0]["column"], "SIREN");
    assert_eq!(report["rejected"][0]["earlier_line"], serde_json::Value::Null);
    assert_eq!(report["rejected"][1]["line"], 4);
    assert_eq!(report["rejected"][1]["code"], "line.duplicate");
    assert_eq!(report["rejected"][1]["earlier_line"], 2);
    assert_eq!(report["mapping"][0]["field"], "name");
    let ok = send(&router, post("/api/v1/imports/accounts?skip_invalid=true".into())).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert_eq!(ok.json()["created"], 1);
    let export = api(
        &router,
        Method::GET,
        "/api/v1/exports/accounts?separator=,",
        &token,
        None,
    )
    .await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(export.headers["content-type"].to_str().unwrap().starts_with("text/csv"));
    assert!(export.body.contains("Acme Industrie") && !export.body.contains("Broken"));
    let viewer = t.with_user(Role::Viewer).await;
    let vt = t.token_for(&viewer).await;
    let denied = api(&router, Method::POST, "/api/v1/imports/accounts", &vt, None).await;
    assert_eq!(denied.status, StatusCode::FORBIDDEN);
});

db_test!(import_pages_preview_then_commit, |t| async move {
    let admin = t.with_user(Role::Admin).await;
    let mut c = crate::logged_in(&t, &admin).await;
    let boundary = "XBOUNDARY";
    let body = |parts: &[(&str, &str)]| {
        let mut b = String::new();
        for (name, value) in parts {
            b.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
        b.push_str(&format!("--{boundary}--\r\n"));
        b
    };
    let send_multipart = |path: &str, csrf: &str, payload: String, cookie: String| {
        axum::http::Request::builder()
            .method(Method::POST)
            .uri(format!("{path}?_csrf={csrf}"))
            .header("cookie", cookie)
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(axum::body::Body::from(payload))
            .unwrap()
    };
    let cookie = c.cookie_header();
    let csv = "Raison sociale;SIREN;Couleur préférée\nDanone;552032534;bleu\nTypo;552032535;vert\nDanone bis;552032534;rouge\n";
    let preview = send(
        &t.router(),
        send_multipart(
            "/import/preview",
            &c.csrf,
            body(&[("kind", "accounts"), ("file", csv)]),
            cookie.clone(),
        ),
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("id=\"rejected\"") && preview.body.contains("<td class=\"num\">3</td>"));
    // Before anything is written it says "to create", not "created"; each reason once,
    // in the page's language; field labels, never internal names; ignored columns listed.
    assert!(
        preview.body.contains("to create") && !preview.body.contains(">created<"),
        "{}",
        preview.body
    );
    assert!(preview.body.contains("Invalid SIREN") || preview.body.contains("SIREN"));
    assert!(
        preview
            .body
            .contains("Duplicate of an earlier line of the file (line 2)"),
        "a duplicate names the line it repeats: {}",
        preview.body
    );
    assert!(
        !preview.body.contains("(name)") && !preview.body.contains("(siren)"),
        "no internal field names"
    );
    assert!(preview.body.contains("id=\"ignored-columns\"") && preview.body.contains("Couleur préférée"));
    assert!(
        bilan_app::accounts::list_accounts(&t.app, &admin, &Default::default())
            .await
            .unwrap()
            .items
            .is_empty(),
        "a preview writes nothing"
    );
    let commit = send(
        &t.router(),
        send_multipart(
            "/import/commit",
            &c.csrf,
            body(&[
                ("kind", "accounts"),
                ("content", csv),
                ("mode", "skip_invalid"),
                ("header_0", "Raison sociale"),
                ("map_0", "name"),
                ("header_1", "SIREN"),
                ("map_1", "siren"),
            ]),
            cookie.clone(),
        ),
    )
    .await;
    assert!(commit.body.contains("id=\"import-done\""), "{}", commit.body);
    assert_eq!(
        bilan_app::accounts::list_accounts(&t.app, &admin, &Default::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let forged = send(
        &t.router(),
        send_multipart(
            "/import/commit",
            "forged",
            body(&[("kind", "accounts"), ("content", csv)]),
            cookie,
        ),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let export = c.get("/accounts/export.csv").await;
    assert!(export.body.contains("Danone"));
});
