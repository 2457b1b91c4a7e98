//! A minimal WebDriver client for headless Chromium journeys.
//!
//! Blocking (call it from `tokio::task::spawn_blocking` or a plain thread).
//! [`Browser::start`] runs its own `chromedriver` on a free localhost port and
//! a headless Chromium with a fresh, empty profile; dropping the [`Browser`]
//! ends the session, stops the driver and removes the profile.

use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Environment variable naming the `chromedriver` binary to use.
pub const CHROMEDRIVER_ENV: &str = "BILAN_CHROMEDRIVER";
/// Environment variable naming the Chromium binary to use.
pub const CHROMIUM_ENV: &str = "BILAN_CHROMIUM";
/// How long [`Browser::find`] waits for an element to appear.
pub const FIND_TIMEOUT: Duration = Duration::from_secs(5);
/// The Enter key, for [`Element::send_keys`].
pub const KEY_ENTER: &str = "\u{E007}";
/// The Tab key, for [`Element::send_keys`].
pub const KEY_TAB: &str = "\u{E004}";
/// The Control key (held for the rest of one [`Element::send_keys`] call).
pub const KEY_CONTROL: &str = "\u{E009}";
/// The Space key.
pub const KEY_SPACE: &str = "\u{E00D}";
/// The down arrow.
pub const KEY_DOWN: &str = "\u{E015}";

/// The W3C key of an element reference in WebDriver JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long to wait for chromedriver's `/status` to say ready.
const DRIVER_READY_TIMEOUT: Duration = Duration::from_secs(10);
/// Interval between polls.
const POLL: Duration = Duration::from_millis(50);

/// Flags Chromium needs on this kind of machine (closed network, root, no GPU).
const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
];

/// A WebDriver error: its W3C error code and message.
#[derive(Debug)]
struct WdError {
    error: String,
    message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Chromedriver often repeats the code at the start of the message; say it once.
        let first = self.message.lines().next().unwrap_or("").trim();
        let message = match first.strip_prefix(self.error.as_str()) {
            Some("") => "",
            Some(rest) if rest.starts_with(':') => rest[1..].trim_start(),
            _ => first,
        };
        if message.is_empty() {
            write!(f, "{}", self.error)
        } else {
            write!(f, "{}: {}", self.error, message)
        }
    }
}

/// The HTTP side of one WebDriver session.
#[derive(Clone)]
struct Wire {
    agent: ureq::Agent,
    /// `http://127.0.0.1:<port>/session/<id>`
    session_url: String,
}

impl Wire {
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        send(&self.agent, method, &format!("{}{}", self.session_url, path), body)
    }

    fn get(&self, path: &str) -> Result<Value, WdError> {
        self.call("GET", path, None)
    }

    fn post(&self, path: &str, body: Value) -> Result<Value, WdError> {
        self.call("POST", path, Some(body))
    }
}

/// Sends one WebDriver command and returns its `value`.
fn send(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value, WdError> {
    let request = agent.request(method, url);
    let result = match body {
        Some(body) => request.send_json(body),
        None => request.call(),
    };
    let response = match result {
        Ok(response) => response,
        Err(ureq::Error::Status(code, response)) => {
            let body: Value = response.into_json().unwrap_or(Value::Null);
            let value = &body["value"];
            return Err(WdError {
                error: value["error"]
                    .as_str()
                    .map_or_else(|| format!("HTTP {code}"), str::to_owned),
                message: value["message"].as_str().unwrap_or("").to_owned(),
            });
        }
        Err(ureq::Error::Transport(t)) => {
            return Err(WdError {
                error: "transport".into(),
                message: format!("{method} {url}: {t}"),
            });
        }
    };
    let mut body: Value = response.into_json().map_err(|e| WdError {
        error: "invalid response".into(),
        message: format!("{method} {url}: {e}"),
    })?;
    Ok(body["value"].take())
}

/// The running chromedriver and its scratch directory; killed and removed on drop.
struct Driver {
    child: Child,
    dir: PathBuf,
}

impl Driver {
    /// The last lines of chromedriver's log, for error messages.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("chromedriver.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        if tail.is_empty() {
            String::new()
        } else {
            format!("\n--- chromedriver log (last lines) ---\n{tail}")
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        drop(self.child.kill());
        drop(self.child.wait());
        // Chromium may still be writing its profile for a moment after the driver dies.
        for _ in 0..20 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(POLL);
        }
    }
}

/// A headless Chromium driven over WebDriver.
pub struct Browser {
    wire: Wire,
    driver: Driver,
}

/// An element of the current page, found by a CSS selector.
#[derive(Clone)]
pub struct Element {
    wire: Wire,
    id: String,
    css: String,
}

impl std::fmt::Debug for Element {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Element({:?})", self.css)
    }
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Browser({}, chromedriver pid {})",
            self.wire.session_url,
            self.driver.child.id()
        )
    }
}

/// Finds an executable: the environment variable if set, else the fixed paths, else `PATH`.
fn locate(env: &str, fixed: &[&str], names: &[&str]) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(env).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return p.is_file().then_some(p);
    }
    if let Some(p) = fixed.iter().map(PathBuf::from).find(|p| p.is_file()) {
        return Some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

fn chromedriver_path() -> Option<PathBuf> {
    locate(CHROMEDRIVER_ENV, &["/usr/bin/chromedriver"], &["chromedriver"])
}

fn chromium_path() -> Option<PathBuf> {
    locate(CHROMIUM_ENV, &["/usr/bin/chromium"], &["chromium", "chromium-browser"])
}

/// The new-session request body for `binary` with profile directory `profile`.
fn capabilities(binary: &Path, profile: &Path) -> Value {
    let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|s| (*s).to_owned()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    json!({
        "capabilities": {
            "alwaysMatch": {
                "browserName": "chrome",
                "pageLoadStrategy": "normal",
                "timeouts": { "implicit": 0, "pageLoad": 30_000, "script": 10_000 },
                "goog:chromeOptions": {
                    "binary": binary.display().to_string(),
                    "args": args,
                }
            }
        }
    })
}

/// Reserves a free port on 127.0.0.1 (bound then released).
fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot bind a local port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot read the local port: {e}"))
}

/// Polls `f` until it returns `Some`, or `timeout` passes (one last try at the end).
fn poll<T>(timeout: Duration, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(POLL);
    }
}

/// Decodes standard base64 (WebDriver screenshots).
fn base64_decode(input: &str) -> Result<Vec<u8>, String> {
    fn sextet(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some(u32::from(c - b'A')),
            b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
            b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let bytes: Vec<u8> = input.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let data = match bytes.iter().position(|&c| c == b'=') {
        Some(i) if bytes[i..].iter().all(|&c| c == b'=') && bytes.len() - i <= 2 => &bytes[..i],
        Some(_) => return Err("invalid base64 padding".into()),
        None => &bytes[..],
    };
    if data.len() % 4 == 1 {
        return Err("invalid base64 length".into());
    }
    let mut out = Vec::with_capacity(data.len() * 3 / 4);
    for chunk in data.chunks(4) {
        let mut acc = 0u32;
        for &c in chunk {
            acc = (acc << 6) | sextet(c).ok_or_else(|| format!("invalid base64 character {:?}", c as char))?;
        }
        acc <<= 6 * (4 - chunk.len() as u32);
        let decoded = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&decoded[..chunk.len() - 1]);
    }
    Ok(out)
}

impl Browser {
    /// Whether both `chromedriver` and Chromium are installed (journeys skip otherwise).
    pub fn available() -> bool {
        chromedriver_path().is_some() && chromium_path().is_some()
    }

    /// Starts chromedriver on a free port and opens a headless Chromium session.
    pub fn start() -> Result<Browser, String> {
        let driver_bin = chromedriver_path().ok_or_else(|| {
            format!("chromedriver not found (set {CHROMEDRIVER_ENV}, or install Debian's chromium-driver)")
        })?;
        let chromium_bin = chromium_path()
            .ok_or_else(|| format!("Chromium not found (set {CHROMIUM_ENV}, or install Debian's chromium)"))?;

        let dir = std::env::temp_dir().join(format!("bilan-browser-{}", uuid::Uuid::new_v4().simple()));
        let profile = dir.join("profile");
        std::fs::create_dir_all(&profile).map_err(|e| format!("cannot create {}: {e}", profile.display()))?;
        let port = match free_port() {
            Ok(port) => port,
            Err(e) => {
                drop(std::fs::remove_dir_all(&dir));
                return Err(e);
            }
        };
        let child = Command::new(&driver_bin)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", dir.join("chromedriver.log").display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                drop(std::fs::remove_dir_all(&dir));
                return Err(format!("cannot start {}: {e}", driver_bin.display()));
            }
        };
        let mut driver = Driver { child, dir };

        let agent = ureq::AgentBuilder::new()
            .try_proxy_from_env(false)
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(60))
            .timeout_write(Duration::from_secs(60))
            .build();
        let base = format!("http://127.0.0.1:{port}");

        // Wait for the driver to listen and report ready.
        let mut exited = None;
        let ready = poll(DRIVER_READY_TIMEOUT, || {
            if let Ok(Some(status)) = driver.child.try_wait() {
                exited = Some(status);
                return Some(false);
            }
            let status = send(&agent, "GET", &format!("{base}/status"), None).ok()?;
            status["ready"].as_bool().filter(|r| *r)
        });
        match (ready, exited) {
            (_, Some(status)) => {
                return Err(format!("chromedriver exited early ({status}){}", driver.log_tail()));
            }
            (None, _) => {
                return Err(format!(
                    "chromedriver on port {port} not ready after {DRIVER_READY_TIMEOUT:?}{}",
                    driver.log_tail()
                ));
            }
            _ => {}
        }

        let caps = capabilities(&chromium_bin, &profile);
        let session = send(&agent, "POST", &format!("{base}/session"), Some(caps))
            .map_err(|e| format!("cannot create a Chromium session: {e}{}", driver.log_tail()))?;
        let id = session["sessionId"]
            .as_str()
            .ok_or_else(|| format!("new session answer has no sessionId: {session}"))?
            .to_owned();
        Ok(Browser {
            wire: Wire {
                agent,
                session_url: format!("{base}/session/{id}"),
            },
            driver,
        })
    }

    /// Sets the window's outer size (a desktop 1440×900, a phone 390×844).
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<(), String> {
        self.wire
            .post("/window/rect", json!({ "width": width, "height": height }))
            .map(drop)
            .map_err(|e| format!("set window size {width}x{height}: {e}"))
    }

    /// How wide the page's content is, in CSS pixels, against the window's inner width.
    pub fn page_width(&self) -> Result<(i64, i64), String> {
        let v = self.execute("return [document.documentElement.scrollWidth, window.innerWidth];", &[])?;
        match (v[0].as_i64(), v[1].as_i64()) {
            (Some(content), Some(window)) => Ok((content, window)),
            _ => Err(format!("page width: unexpected answer {v}")),
        }
    }

    /// The element that has the keyboard focus.
    pub fn active(&self) -> Result<Element, String> {
        let v = self
            .wire
            .get("/element/active")
            .map_err(|e| format!("active element: {e}"))?;
        let id = v[ELEMENT_KEY]
            .as_str()
            .ok_or_else(|| format!("active element: no element in {v}"))?
            .to_owned();
        Ok(Element {
            wire: self.wire.clone(),
            id,
            css: ":focus".to_owned(),
        })
    }

    /// Navigates to `url` and waits for the page to load.
    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.wire
            .post("/url", json!({ "url": url }))
            .map(drop)
            .map_err(|e| format!("goto {url}: {e}"))
    }

    /// The URL of the current page.
    pub fn current_url(&self) -> Result<String, String> {
        let v = self.wire.get("/url").map_err(|e| format!("current_url: {e}"))?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("current_url: not a string: {v}"))
    }

    /// The title of the current page.
    pub fn title(&self) -> Result<String, String> {
        let v = self.wire.get("/title").map_err(|e| format!("title: {e}"))?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("title: not a string: {v}"))
    }

    /// The first element matching `css`, waiting up to [`FIND_TIMEOUT`] for it to appear.
    pub fn find(&self, css: &str) -> Result<Element, String> {
        let mut last = None;
        let found = poll(FIND_TIMEOUT, || match self.find_now(css) {
            Ok(el) => Some(Ok(el)),
            Err(e) if e.error == "no such element" => {
                last = Some(e);
                None
            }
            Err(e) => Some(Err(e)),
        });
        match found {
            Some(Ok(el)) => Ok(el),
            Some(Err(e)) => Err(format!("find `{css}`: {e}")),
            None => Err(format!(
                "find `{css}`: no such element after {FIND_TIMEOUT:?} ({}) on {}",
                last.map(|e| e.to_string()).unwrap_or_default(),
                self.current_url().unwrap_or_default()
            )),
        }
    }

    fn find_now(&self, css: &str) -> Result<Element, WdError> {
        let v = self
            .wire
            .post("/element", json!({ "using": "css selector", "value": css }))?;
        self.element(&v, css)
    }

    fn element(&self, v: &Value, css: &str) -> Result<Element, WdError> {
        let id = v[ELEMENT_KEY].as_str().ok_or_else(|| WdError {
            error: "invalid response".into(),
            message: format!("no element reference in {v}"),
        })?;
        Ok(Element {
            wire: self.wire.clone(),
            id: id.to_owned(),
            css: css.to_owned(),
        })
    }

    /// Waits for typing to have had its effect: past the 250 ms the pages' live
    /// searches wait after a keystroke (`hx-trigger="… delay:250ms"`), then until
    /// no htmx request is in flight.
    pub fn settle(&self) -> Result<(), String> {
        std::thread::sleep(Duration::from_millis(300));
        let idle = poll(FIND_TIMEOUT, || {
            let busy = self.execute("return document.querySelector('.htmx-request') !== null;", &[]);
            match busy {
                Ok(Value::Bool(false)) => Some(Ok(())),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            }
        });
        idle.unwrap_or_else(|| Err(format!("settle: htmx still busy after {FIND_TIMEOUT:?}")))
    }

    /// Types `text` into the element matching `css`, finding it again when a
    /// fragment swapped in by htmx replaced it between the find and the keys.
    pub fn type_into(&self, css: &str, text: &str) -> Result<(), String> {
        let mut last = String::new();
        let done = poll(FIND_TIMEOUT, || {
            match self.find(css).and_then(|el| el.send_keys(text)) {
                Ok(()) => Some(Ok(())),
                Err(e) if e.contains("stale element") => {
                    last = e;
                    None
                }
                Err(e) => Some(Err(e)),
            }
        });
        done.unwrap_or_else(|| Err(format!("type_into `{css}`: still stale after {FIND_TIMEOUT:?}: {last}")))
    }

    /// All elements matching `css` now (possibly none; does not wait).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>, String> {
        let v = self
            .wire
            .post("/elements", json!({ "using": "css selector", "value": css }))
            .map_err(|e| format!("find_all `{css}`: {e}"))?;
        let list = v
            .as_array()
            .ok_or_else(|| format!("find_all `{css}`: not a list: {v}"))?;
        list.iter()
            .map(|v| self.element(v, css).map_err(|e| format!("find_all `{css}`: {e}")))
            .collect()
    }

    /// Waits up to `timeout` until an element matching `css` has text containing `text`.
    pub fn wait_for_text(&self, css: &str, text: &str, timeout: Duration) -> Result<Element, String> {
        let mut seen: Vec<String> = Vec::new();
        let found = poll(timeout, || {
            seen.clear();
            for el in self.find_all(css).ok()? {
                // An element may go stale between find and read; just try again next round.
                if let Ok(t) = el.text() {
                    if t.contains(text) {
                        return Some(el);
                    }
                    seen.push(t);
                }
            }
            None
        });
        found.ok_or_else(|| {
            format!(
                "wait_for_text `{css}` containing {text:?}: not found after {timeout:?}; texts seen: {seen:?} on {}",
                self.current_url().unwrap_or_default()
            )
        })
    }

    /// Waits up to `timeout` until the current URL contains `part`; returns the URL.
    pub fn wait_for_url(&self, part: &str, timeout: Duration) -> Result<String, String> {
        let mut last = String::new();
        poll(timeout, || {
            last = self.current_url().ok()?;
            last.contains(part).then(|| last.clone())
        })
        .ok_or_else(|| format!("wait_for_url containing {part:?}: still at {last:?} after {timeout:?}"))
    }

    /// The HTML source of the current page.
    pub fn page_source(&self) -> Result<String, String> {
        let v = self.wire.get("/source").map_err(|e| format!("page_source: {e}"))?;
        v.as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("page_source: not a string: {v}"))
    }

    /// Runs `script` (a function body; `arguments[i]` are `args`) and returns its result.
    pub fn execute(&self, script: &str, args: &[Value]) -> Result<Value, String> {
        self.wire
            .post("/execute/sync", json!({ "script": script, "args": args }))
            .map_err(|e| format!("execute {:?}: {e}", script.chars().take(80).collect::<String>()))
    }

    /// Saves a PNG screenshot of the viewport to `path`.
    pub fn screenshot_png(&self, path: impl AsRef<Path>) -> Result<(), String> {
        let path = path.as_ref();
        let v = self.wire.get("/screenshot").map_err(|e| format!("screenshot: {e}"))?;
        let data = v.as_str().ok_or_else(|| "screenshot: not a string".to_owned())?;
        let png = base64_decode(data).map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("screenshot: cannot write {}: {e}", path.display()))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the session (Chromium quits); `driver` is then killed and its directory removed.
        drop(self.wire.call("DELETE", "", None));
    }
}

impl Element {
    fn fail(&self, what: &str, e: WdError) -> String {
        format!("{what} on `{}`: {e}", self.css)
    }

    /// Clicks the element (retrying briefly while it is covered or not yet interactable).
    pub fn click(&self) -> Result<(), String> {
        let path = format!("/element/{}/click", self.id);
        let mut last = None;
        let done = poll(Duration::from_secs(2), || match self.wire.post(&path, json!({})) {
            Ok(_) => Some(Ok(())),
            Err(e) if e.error == "element click intercepted" || e.error == "element not interactable" => {
                last = Some(e);
                None
            }
            Err(e) => Some(Err(e)),
        });
        match (done, last) {
            (Some(Ok(())), _) => Ok(()),
            (Some(Err(e)), _) | (None, Some(e)) => Err(self.fail("click", e)),
            (None, None) => Err(format!("click on `{}`: timed out", self.css)),
        }
    }

    /// Types `text` into the element ([`KEY_ENTER`] and friends for special keys).
    pub fn send_keys(&self, text: &str) -> Result<(), String> {
        self.wire
            .post(&format!("/element/{}/value", self.id), json!({ "text": text }))
            .map(drop)
            .map_err(|e| self.fail("send_keys", e))
    }

    /// Clears an input or textarea.
    pub fn clear(&self) -> Result<(), String> {
        self.wire
            .post(&format!("/element/{}/clear", self.id), json!({}))
            .map(drop)
            .map_err(|e| self.fail("clear", e))
    }

    /// Whether the element is shown (not `display: none`, not hidden).
    pub fn is_displayed(&self) -> Result<bool, String> {
        let v = self
            .wire
            .get(&format!("/element/{}/displayed", self.id))
            .map_err(|e| format!("displayed {}: {e}", self.css))?;
        v.as_bool()
            .ok_or_else(|| format!("displayed {}: unexpected answer {v}", self.css))
    }

    /// The rendered (visible) text of the element.
    pub fn text(&self) -> Result<String, String> {
        let v = self
            .wire
            .get(&format!("/element/{}/text", self.id))
            .map_err(|e| self.fail("text", e))?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// The attribute `name`, or `None` when absent.
    pub fn attr(&self, name: &str) -> Result<Option<String>, String> {
        let v = self
            .wire
            .get(&format!("/element/{}/attribute/{name}", self.id))
            .map_err(|e| self.fail(&format!("attr {name:?}"), e))?;
        Ok(match v {
            Value::Null => None,
            Value::String(s) => Some(s),
            other => Some(other.to_string()),
        })
    }

    /// The current `value` property (what an input holds now), empty if none.
    pub fn value(&self) -> Result<String, String> {
        let v = self
            .wire
            .get(&format!("/element/{}/property/value", self.id))
            .map_err(|e| self.fail("value", e))?;
        Ok(match v {
            Value::Null => String::new(),
            Value::String(s) => s,
            other => other.to_string(),
        })
    }

    /// The CSS selector this element was found by.
    pub fn selector(&self) -> &str {
        &self.css
    }

    /// This element as a WebDriver reference, to pass in [`Browser::execute`]'s `args`.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    #[test]
    fn capabilities_carry_the_required_chromium_flags_and_a_fresh_profile() {
        let caps = capabilities(Path::new("/usr/bin/chromium"), Path::new("/tmp/x/profile"));
        let opts = &caps["capabilities"]["alwaysMatch"]["goog:chromeOptions"];
        assert_eq!(opts["binary"], "/usr/bin/chromium");
        let args: Vec<&str> = opts["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        for flag in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,900",
            "--user-data-dir=/tmp/x/profile",
        ] {
            assert!(args.contains(&flag), "missing {flag} in {args:?}");
        }
        assert_eq!(caps["capabilities"]["alwaysMatch"]["browserName"], "chrome");
        assert_eq!(caps["capabilities"]["alwaysMatch"]["timeouts"]["implicit"], 0);
    }

    #[test]
    fn browser_and_elements_can_move_into_spawn_blocking() {
        fn assert_send<T: Send + 'static>() {}
        assert_send::<Browser>();
        assert_send::<Element>();
    }

    #[test]
    fn base64_decodes_screenshots() {
        assert_eq!(base64_decode("").unwrap(), b"");
        assert_eq!(base64_decode("Zg==").unwrap(), b"f");
        assert_eq!(base64_decode("Zm8=").unwrap(), b"fo");
        assert_eq!(base64_decode("Zm9v").unwrap(), b"foo");
        assert_eq!(base64_decode("Zm9vYmFy\n").unwrap(), b"foobar");
        assert_eq!(base64_decode("iVBORw0KGgo=").unwrap(), b"\x89PNG\r\n\x1a\n");
        assert_eq!(base64_decode("+/+/").unwrap(), [0xfb, 0xff, 0xbf]);
        assert!(base64_decode("Zm9v!").is_err());
        assert!(base64_decode("Z=m9").is_err());
        assert!(base64_decode("Zm9vY").is_err());
    }

    #[test]
    fn webdriver_errors_are_reported_with_code_and_first_message_line() {
        let e = WdError {
            error: "no such element".into(),
            message: "Unable to locate\n  (Session info: x)".into(),
        };
        assert_eq!(e.to_string(), "no such element: Unable to locate");
        let e = WdError {
            error: "javascript error".into(),
            message: "javascript error: boom".into(),
        };
        assert_eq!(e.to_string(), "javascript error: boom");
        let e = WdError {
            error: "element not interactable".into(),
            message: "element not interactable".into(),
        };
        assert_eq!(e.to_string(), "element not interactable");
    }

    #[test]
    fn a_transport_failure_is_an_error_not_a_panic() {
        let port = free_port().unwrap();
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(2))
            .build();
        let e = send(&agent, "GET", &format!("http://127.0.0.1:{port}/status"), None).unwrap_err();
        assert_eq!(e.error, "transport");
        assert!(e.message.contains(&port.to_string()), "{e}");
    }

    /// Serves `html` for every request on a local port, on a background thread.
    fn serve(html: &'static str) -> u16 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for mut stream in listener.incoming().flatten() {
                let mut buf = [0u8; 4096];
                drop(stream.read(&mut buf));
                drop(write!(
                    stream,
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{html}",
                    html.len()
                ));
            }
        });
        port
    }

    /// Drives a real Chromium when one is installed (scripts/test installs it).
    #[test]
    fn drives_a_real_chromium_when_installed() {
        if !Browser::available() {
            eprintln!("\n*** SKIPPED browser self-test: chromium/chromedriver not installed (scripts/test installs them) ***\n");
            return;
        }
        let port = serve(
            "<!doctype html><html><head><title>Bilan self-test</title></head><body>\
             <form method=get action=/next><input name=q value=start><button id=go>Go</button></form>\
             <p class=msg>first</p><p class=msg>second</p>\
             <div id=later></div>\
             <script>setTimeout(() => { document.getElementById('later').innerHTML = '<b id=late>arrived</b>'; }, 300);</script>\
             </body></html>",
        );
        let b = Browser::start().unwrap();
        b.goto(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert_eq!(b.title().unwrap(), "Bilan self-test");
        assert_eq!(b.find_all("p.msg").unwrap().len(), 2);
        assert_eq!(b.find("#late").unwrap().text().unwrap(), "arrived");
        b.wait_for_text("p.msg", "second", Duration::from_secs(2)).unwrap();
        let err = b
            .wait_for_text("p.msg", "third", Duration::from_millis(200))
            .unwrap_err();
        assert!(err.contains("p.msg") && err.contains("second"), "{err}");
        let input = b.find("input[name=q]").unwrap();
        assert_eq!(input.attr("name").unwrap().as_deref(), Some("q"));
        assert_eq!(input.attr("nonexistent").unwrap(), None);
        input.clear().unwrap();
        input.send_keys("hello").unwrap();
        assert_eq!(input.value().unwrap(), "hello");
        assert_eq!(
            b.execute(
                "return arguments[0].value + arguments[1];",
                &[input.to_json(), json!("!")]
            )
            .unwrap(),
            "hello!"
        );
        assert!(b.page_source().unwrap().contains("Bilan self-test"));
        let shot = b.driver.dir.join("shot.png");
        b.screenshot_png(&shot).unwrap();
        assert!(std::fs::read(&shot).unwrap().starts_with(b"\x89PNG\r\n\x1a\n"));
        b.find("#go").unwrap().click().unwrap();
        let url = b.wait_for_url("/next?q=hello", Duration::from_secs(5)).unwrap();
        assert_eq!(url, b.current_url().unwrap());
        let start = Instant::now();
        let err = b.find("#does-not-exist").unwrap_err();
        assert!(start.elapsed() >= FIND_TIMEOUT, "find should wait");
        assert!(
            err.contains("#does-not-exist") && err.contains("no such element"),
            "{err}"
        );
        let dir = b.driver.dir.clone();
        drop(b);
        assert!(!dir.exists(), "profile directory {} left behind", dir.display());
    }
}
