//! The OpenAPI document: its header here, its operations from the router
//! (each capability's `routes()`), so the two cannot drift apart.

use std::sync::LazyLock;
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme("bearer", SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)));
    }
}

/// Bilan's API description.
#[derive(OpenApi)]
#[openapi(
    info(title = "Bilan API", description = "The client relationship ledger: accounts, contacts, users, imports and exports. Errors are application/problem+json with a stable `code` and an `errors` array of {field, code, message}."),
    modifiers(&BearerAuth),
    tags((name = "accounts", description = "Client accounts (comptes) and their sites"), (name = "contacts", description = "People of client accounts"),
         (name = "users", description = "The team and its roles"), (name = "imports", description = "CSV import and export"),
         (name = "audit", description = "Who changed what, when"),
         (name = "timeline", description = "Shared history: interactions, follow-ups, response times"),
         (name = "surveys", description = "Hot satisfaction: surveys, sending rules, answers, NPS/CSAT/CES figures, outbox"),
         (name = "jobs", description = "Background jobs: what ran, what failed and why"),
         (name = "complaints", description = "Complaints and disputes (réclamations, litiges): cases with their legal deadlines, dated steps, gestures, letters, figures"),
         (name = "reviews", description = "Client reviews (bilan annuel): planning, invitation, the frozen data pack, holding, minutes, action plans"))
)]
pub struct ApiDoc;

/// The document: the header above and every operation the router serves, with
/// what every operation may answer besides its own responses (see [`complete`]).
pub fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(|| {
        let mut doc = super::operations().into_openapi();
        complete(&mut doc);
        doc
    });
    &DOCUMENT
}

/// The document as canonical JSON (keys sorted): the same bytes on every run.
fn canonical() -> &'static str {
    static JSON: LazyLock<String> = LazyLock::new(|| {
        serde_json::to_value(document())
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    });
    &JSON
}

/// Adds to every operation the answers the server gives before or around its
/// handler, and gives every error its true content type, so the document and the
/// behaviour cannot disagree: 400 (malformed query or body), 401 (no valid token),
/// 403, 413 (body over the route's limit), 422 (invalid input, e.g. a NUL in a
/// text), 429 (slowed down) are all `application/problem+json`.
fn complete(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    let common = [
        ("400", "Malformed query string or body"),
        ("401", "Missing, expired or revoked token"),
        ("403", "The role does not allow this"),
        ("422", "Invalid input; `errors` names each field"),
        ("429", "Too many requests; see Retry-After"),
    ];
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let takes_body = op.request_body.is_some();
            let writes =
                op.request_body.is_some() || matches!(op.operation_id.as_deref(), Some(id) if id.starts_with("delete"));
            if writes {
                op.responses.responses.entry("409".to_owned()).or_insert_with(|| {
                    problem("Conflicts with the current state: a duplicate, a stale version").into()
                });
            }
            for (code, description) in common {
                op.responses
                    .responses
                    .entry(code.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
            // Any id, in the path or a filter, may name nothing in the caller's workspace.
            op.responses
                .responses
                .entry("404".to_owned())
                .or_insert_with(|| problem("No such record in your workspace").into());
            for p in op.parameters.iter_mut().flatten() {
                if p.name == "limit" {
                    p.schema = Some(
                        utoipa::openapi::ObjectBuilder::new()
                            .schema_type(utoipa::openapi::schema::Type::Integer)
                            .minimum(Some(1))
                            .maximum(Some(super::LIMIT_MAX))
                            .description(Some("Page size"))
                            .into(),
                    );
                }
            }
            if takes_body {
                op.responses
                    .responses
                    .entry("413".to_owned())
                    .or_insert_with(|| problem("Body larger than the route accepts").into());
            }
            for (code, response) in op.responses.responses.iter_mut() {
                if let utoipa::openapi::RefOr::T(r) = response {
                    if let Some(json) = r.content.shift_remove("application/json") {
                        if is_problem(&json) {
                            r.content.insert("application/problem+json".to_owned(), json);
                        } else {
                            r.content.insert("application/json".to_owned(), json);
                        }
                    }
                    // A refusal may always come as a problem (an import's 422 is a
                    // report of its lines, or a problem when the file is unreadable).
                    if code.starts_with('4') && !r.content.contains_key("application/problem+json") {
                        r.content.insert(
                            "application/problem+json".to_owned(),
                            ContentBuilder::new()
                                .schema(Some(Ref::from_schema_name("Problem")))
                                .build(),
                        );
                    }
                }
            }
        }
    }
}

fn is_problem(content: &utoipa::openapi::Content) -> bool {
    matches!(&content.schema, Some(utoipa::openapi::RefOr::Ref(r)) if r.ref_location.ends_with("/Problem"))
}

/// The document as JSON text (also printed by `bilan openapi`).
pub fn openapi_json() -> String {
    canonical().to_owned()
}

/// GET /api/v1/openapi.json
pub async fn serve_openapi() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], canonical())
}

/// What an operation requires of its caller, as its `x-permission` declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Required {
    /// Any signed-in user (the use case then shows each what their role allows).
    Authenticated,
    /// This permission.
    Permission(bilan_domain::roles::Permission),
}

/// The permission the operation at `method` and `path` (the router's pattern,
/// `/api/v1/accounts/{id}`) declares; `None` for an operation the document lacks.
pub fn required(method: &axum::http::Method, path: &str) -> Option<Required> {
    static TABLE: LazyLock<std::collections::HashMap<(String, String), Required>> = LazyLock::new(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
        let mut table = std::collections::HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let needed = match op["x-permission"].as_str() {
                    Some("authenticated") => Some(Required::Authenticated),
                    Some(code) => bilan_domain::roles::Permission::ALL
                        .into_iter()
                        .find(|p| p.code() == code)
                        .map(Required::Permission),
                    None => None,
                };
                if let Some(n) = needed {
                    table.insert((method.to_uppercase(), path.clone()), n);
                }
            }
        }
        table
    });
    TABLE.get(&(method.as_str().to_owned(), path.to_owned())).copied()
}

/// What a documented query parameter takes.
#[derive(Debug, Clone)]
enum QueryKind {
    Boolean,
    Integer { min: Option<f64>, max: Option<f64> },
    OneOf(Vec<String>),
}

/// Whether the query string keeps the types the document gives the operation's
/// parameters (`true`/`false`, whole numbers within their bounds, listed codes);
/// the first parameter that does not, with what it takes. Checked for every API
/// operation before its handler, from the document itself, so the two cannot differ.
pub fn query_fault(method: &axum::http::Method, path: &str, raw: &str) -> Option<(String, String)> {
    type Params = Vec<(String, QueryKind)>;
    static TABLE: LazyLock<std::collections::HashMap<(String, String), Params>> = LazyLock::new(|| {
        let doc = serde_json::to_value(document()).unwrap_or_default();
        let mut table = std::collections::HashMap::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let mut params = Vec::new();
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["in"] != "query" {
                        continue;
                    }
                    let (Some(name), schema) = (p["name"].as_str(), &p["schema"]) else {
                        continue;
                    };
                    let kind = if let Some(list) = schema["enum"].as_array() {
                        QueryKind::OneOf(list.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    } else {
                        match schema["type"].as_str() {
                            Some("boolean") => QueryKind::Boolean,
                            Some("integer") => QueryKind::Integer {
                                min: schema["minimum"].as_f64(),
                                max: schema["maximum"].as_f64(),
                            },
                            _ => continue,
                        }
                    };
                    params.push((name.to_owned(), kind));
                }
                table.insert((method.to_uppercase(), path.clone()), params);
            }
        }
        table
    });
    let params = TABLE.get(&(method.as_str().to_owned(), path.to_owned()))?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    pairs.into_iter().find_map(|(k, v)| {
        let (_, kind) = params.iter().find(|(name, _)| *name == k)?;
        let takes = match kind {
            QueryKind::Boolean => (!matches!(v.as_str(), "true" | "false")).then(|| "true or false".to_owned()),
            QueryKind::Integer { min, max } => {
                let fits = v
                    .parse::<i64>()
                    .is_ok_and(|n| min.is_none_or(|m| n as f64 >= m) && max.is_none_or(|m| n as f64 <= m));
                (!fits).then(|| match (min, max) {
                    (Some(a), Some(b)) => format!("a whole number from {a} to {b}"),
                    (Some(a), None) => format!("a whole number from {a}"),
                    _ => "a whole number".to_owned(),
                })
            }
            QueryKind::OneOf(list) => (!list.contains(&v)).then(|| format!("one of {}", list.join(", "))),
        };
        takes.map(|t| (k, t))
    })
}

#[cfg(test)]
mod schema_names {
    /// utoipa merges two schemas of one name into one without a word, and the API
    /// then documents another body than it reads (a settings body took another's
    /// fields): every type that derives `ToSchema`, in any crate, has its own name.
    #[test]
    fn every_schema_name_is_unique() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut seen: std::collections::HashMap<String, String> = std::collections::HashMap::new();
        let mut clashes = Vec::new();
        let mut stack = vec![root.join("web/src"), root.join("app/src"), root.join("domain/src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                let mut derives = false;
                let mut alias: Option<String> = None;
                let word = |t: &str| -> String { t.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect() };
                for line in text.lines() {
                    let l = line.trim();
                    if l.starts_with("#[") && l.contains("ToSchema") {
                        derives = true;
                    }
                    if l.starts_with("#[") {
                        if let Some(rest) = l.split("schema(as = ").nth(1) {
                            alias = Some(word(rest));
                        }
                    } else if derives && (l.starts_with("pub struct ") || l.starts_with("pub enum ")) {
                        let name = alias
                            .take()
                            .unwrap_or_else(|| word(l.split_whitespace().nth(2).unwrap_or("")));
                        // A macro's `pub enum $name` names its types elsewhere.
                        if !name.is_empty() {
                            let here = path.display().to_string();
                            if let Some(first) = seen.insert(name.clone(), here.clone()) {
                                clashes.push(format!("{name}: {first} and {here}"));
                            }
                        }
                        derives = false;
                    } else if !l.starts_with("///") && !l.is_empty() {
                        derives = false;
                        alias = None;
                    }
                }
            }
        }
        assert!(clashes.is_empty(), "schema names used twice: {clashes:#?}");
    }
}

#[cfg(test)]
mod operation_ids {
    /// OpenAPI requires every operationId to be unique; utoipa names an operation
    /// after its handler, so two capabilities' `plan` handlers clashed and a client
    /// (Schemathesis's links) followed one to the other.
    #[test]
    fn every_operation_id_is_unique() {
        let doc: serde_json::Value = serde_json::to_value(super::document()).unwrap_or_default();
        let mut seen = std::collections::HashMap::new();
        let mut clashes = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op["operationId"].as_str() {
                    if let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}")) {
                        clashes.push(format!("{id}: {other} and {method} {path}"));
                    }
                }
            }
        }
        assert!(clashes.is_empty(), "operationIds used twice: {clashes:#?}");
    }
}
