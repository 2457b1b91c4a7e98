//! Requests through the router without a socket: a page client that keeps its
//! session cookie and CSRF token like a browser, and an API client with a token.

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

/// A response read whole.
#[derive(Debug)]
pub struct TestResponse {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: axum::http::HeaderMap,
    /// Body as text.
    pub body: String,
    /// Body as sent (a PDF, a Word file).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The `Location` header.
    pub fn location(&self) -> Option<String> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }
}

/// Sends one request through the router.
pub async fn send(router: &Router, req: Request<Body>) -> TestResponse {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = axum::body::to_bytes(res.into_body(), 256 * 1024 * 1024).await.unwrap();
    TestResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes: bytes.to_vec(),
    }
}

/// Fails when a page's `<title>` holds markup: a browser tab shows the title as
/// text, so a template that puts HTML in it shows tags to the user. Every page a
/// test fetches goes through this check.
pub fn assert_plain_title(path: &str, body: &str) {
    let Some(start) = body.find("<title>") else { return };
    let rest = &body[start + "<title>".len()..];
    let title = rest.find("</title>").map_or(rest, |end| &rest[..end]);
    assert!(
        !title.contains('<') && !title.contains('\n'),
        "the title of {path} is not plain text: {title:?}"
    );
}

/// A browser-like client for pages: keeps cookies and the CSRF token.
pub struct PageClient {
    router: Router,
    cookies: Vec<(String, String)>,
    /// The client's address as the server sees it (none: unknown).
    remote: Option<std::net::SocketAddr>,
    /// `X-Forwarded-For` sent with every request (a client behind a proxy).
    forwarded_for: Option<String>,
    /// The session's CSRF token (read from the last page's meta tag).
    pub csrf: String,
}

fn extract(body: &str, marker: &str) -> Option<String> {
    let start = body.find(marker)? + marker.len();
    let end = body[start..].find('"')?;
    Some(body[start..start + end].to_owned())
}

impl PageClient {
    /// A client with no cookie.
    pub fn new(router: Router) -> Self {
        Self {
            router,
            cookies: Vec::new(),
            remote: None,
            forwarded_for: None,
            csrf: String::new(),
        }
    }

    /// A client with no cookie, connecting from `ip`.
    pub fn from_address(router: Router, ip: &str) -> Self {
        let mut c = Self::new(router);
        c.remote = ip.parse::<std::net::IpAddr>().ok().map(|ip| (ip, 40_000).into());
        c
    }

    /// A client at `client` whose requests reach the server through the proxy at `proxy`.
    pub fn behind_proxy(router: Router, proxy: &str, client: &str) -> Self {
        let mut c = Self::from_address(router, proxy);
        c.forwarded_for = Some(client.to_owned());
        c
    }

    fn with_remote(&self, mut req: Request<Body>) -> Request<Body> {
        if let Some(addr) = self.remote {
            req.extensions_mut().insert(axum::extract::ConnectInfo(addr));
        }
        if let Some(f) = self.forwarded_for.as_deref().and_then(|f| f.parse().ok()) {
            req.headers_mut().insert("x-forwarded-for", f);
        }
        req
    }

    /// The `Cookie` header this client sends.
    pub fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn absorb(&mut self, res: &TestResponse) {
        for v in res.headers.get_all(header::SET_COOKIE) {
            let Ok(v) = v.to_str() else { continue };
            let Some((kv, _)) = v.split_once(';') else { continue };
            let Some((k, val)) = kv.split_once('=') else { continue };
            self.cookies.retain(|(name, _)| name != k);
            if !val.is_empty() {
                self.cookies.push((k.to_owned(), val.to_owned()));
            }
        }
        if let Some(t) = extract(&res.body, "<meta name=\"csrf-token\" content=\"") {
            if !t.is_empty() {
                self.csrf = t;
            }
        }
    }

    /// GET a page.
    pub async fn get(&mut self, path: &str) -> TestResponse {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .body(Body::empty())
            .unwrap();
        let res = send(&self.router, self.with_remote(req)).await;
        self.absorb(&res);
        assert_plain_title(path, &res.body);
        res
    }

    /// GET with htmx's header.
    pub async fn get_htmx(&mut self, path: &str) -> TestResponse {
        let req = Request::builder()
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header("hx-request", "true")
            .body(Body::empty())
            .unwrap();
        send(&self.router, self.with_remote(req)).await
    }

    /// POST a form; the session's CSRF token is added unless `_csrf` is given.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "_csrf") {
            pairs.push(("_csrf", &self.csrf));
        }
        let body = serde_urlencoded::to_string(&pairs).unwrap();
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::COOKIE, self.cookie_header())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        let res = send(&self.router, self.with_remote(req)).await;
        self.absorb(&res);
        res
    }

    /// Logs in through the login form; returns the POST's response.
    pub async fn login(&mut self, email: &str, password: &str) -> TestResponse {
        let page = self.get("/login").await;
        let token = extract(&page.body, "name=\"_csrf\" value=\"").unwrap_or_default();
        self.post_form("/login", &[("email", email), ("password", password), ("_csrf", &token)])
            .await
    }
}

/// Sends an API request with a bearer token and an optional JSON body.
pub async fn api(
    router: &Router,
    method: Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> TestResponse {
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"));
    let body = match body {
        Some(v) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(serde_json::to_vec(&v).unwrap())
        }
        None => Body::empty(),
    };
    send(router, b.body(body).unwrap()).await
}

/// Sends an API request with a bearer token and a body of the given content type
/// (a CSV file, a PDF).
pub async fn raw(
    router: &Router,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    body: Vec<u8>,
) -> TestResponse {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    send(router, req).await
}
