//! The OpenAPI document and a self-contained page that renders it.

use std::sync::Arc;

use axum::Extension;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

/// The OpenAPI document as served, rendered once at start.
#[derive(Clone, Debug)]
pub(crate) struct OpenApiJson(pub(crate) Arc<str>);

pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(openapi_json))
        .routes(routes!(docs))
}

/// This API's OpenAPI 3.1 document.
#[utoipa::path(get, path = "/openapi.json", tag = "operations", responses((status = 200, content_type = "application/json", body = Object)))]
async fn openapi_json(Extension(doc): Extension<OpenApiJson>) -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], doc.0.to_string())
}

/// A readable reference of this API, rendered in the browser from `/openapi.json`.
#[utoipa::path(get, path = "/docs", tag = "operations", responses((status = 200, content_type = "text/html", body = String)))]
async fn docs() -> Html<&'static str> {
    Html(DOCS_PAGE)
}

/// No external scripts or fonts: the page works offline and on air-gapped hosts.
const DOCS_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>deskgate API</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 60rem; padding: 1rem 2rem; color: #1d2430; }
  h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #dde; }
  .op { border: 1px solid #dde; border-radius: 6px; margin: .6rem 0; padding: .5rem .8rem; }
  .m { display: inline-block; min-width: 4.2rem; font-weight: 700; text-transform: uppercase; }
  .get { color: #0b6e4f; } .post { color: #1f5fbf; } .patch, .put { color: #8a5a00; } .delete { color: #b42318; }
  code { font-size: .92em; } table { border-collapse: collapse; margin: .4rem 0; }
  td, th { border: 1px solid #e3e5ea; padding: .2rem .5rem; text-align: left; vertical-align: top; }
  details > summary { cursor: pointer; }
  pre { background: #f6f7f9; padding: .6rem; overflow: auto; }
</style>
</head>
<body>
<h1 id="title">deskgate API</h1>
<p>Every call but the operational ones needs <code>Authorization: Bearer dg_live_…</code>.
Errors are <code>application/problem+json</code> with a stable <code>code</code>.
The machine-readable document is at <a href="openapi.json">/openapi.json</a>.</p>
<div id="ops">Loading…</div>
<script>
const esc = s => String(s ?? "").replace(/[&<>"]/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;"}[c]));
fetch("openapi.json").then(r => r.json()).then(doc => {
  document.getElementById("title").textContent = doc.info.title + " " + doc.info.version;
  const byTag = {};
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!op || typeof op !== "object" || !op.responses) continue;
      const tag = (op.tags && op.tags[0]) || "other";
      (byTag[tag] ||= []).push({ path, method, op });
    }
  }
  let html = "";
  for (const [tag, ops] of Object.entries(byTag)) {
    html += `<h2>${esc(tag)}</h2>`;
    for (const { path, method, op } of ops) {
      const params = (op.parameters || []).map(p =>
        `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${esc(p.description)}</td></tr>`).join("");
      const responses = Object.entries(op.responses).map(([s, r]) => `<tr><td>${esc(s)}</td><td>${esc(r.description)}</td></tr>`).join("");
      html += `<div class="op"><span class="m ${method}">${method}</span> <code>${esc(path)}</code>
        <div>${esc(op.summary || op.description || "")}</div>
        <details><summary>details</summary>
        ${params ? `<table><tr><th>parameter</th><th>in</th><th>description</th></tr>${params}</table>` : ""}
        <table><tr><th>status</th><th>meaning</th></tr>${responses}</table></details></div>`;
    }
  }
  html += `<h2>schemas</h2><pre>${esc(JSON.stringify(doc.components?.schemas ?? {}, null, 2))}</pre>`;
  document.getElementById("ops").innerHTML = html;
}).catch(e => { document.getElementById("ops").textContent = "could not load openapi.json: " + e; });
</script>
</body>
</html>
"#;
