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
fn openapi_document_is_stable() {
    let doc = bilan_web::api::openapi::openapi_json();
    let v: serde_json::Value = serde_json::from_str(&doc).unwrap();
    let mut paths: Vec<String> = v["paths"].as_object().unwrap().keys().cloned().collect();
    paths.sort();
    assert_eq!(
        paths,
        vec![
            "/api/v1/accounts",
            "/api/v1/accounts/{id}",
            "/api/v1/accounts/{id}/sites",
            "/api/v1/accounts/{id}/sites/{site}",
            "/api/v1/contacts",
            "/api/v1/contacts/{id}",
            "/api/v1/exports/accounts",
            "/api/v1/exports/contacts",
            "/api/v1/imports/accounts",
            "/api/v1/imports/contacts",
            "/api/v1/users",
            "/api/v1/users/{id}",
        ]
    );
}
