//! Static assets, embedded in the binary and served under names that carry a hash of their
//! content, so browsers may cache them for a year and still never see a stale one.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::errors::AppError;

struct Asset {
    name: &'static str,
    url: String,
    bytes: &'static [u8],
    content_type: &'static str,
}

macro_rules! asset {
    ($name:literal, $path:literal, $ty:literal) => {
        ($name, include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../web/", $path)) as &'static [u8], $ty)
    };
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        asset!("preau.css", "css/preau.css", "text/css; charset=utf-8"),
        asset!("preau.svg", "img/preau.svg", "image/svg+xml"),
        asset!("room.js", "js/room.js", "text/javascript; charset=utf-8"),
    ]
    .into_iter()
    .map(|(name, bytes, content_type)| {
        let digest = Sha256::digest(bytes);
        let hash: String = digest[..5].iter().map(|b| format!("{b:02x}")).collect();
        let (stem, ext) = name.rsplit_once('.').expect("asset names have an extension");
        Asset { name, url: format!("/static/{stem}.{hash}.{ext}"), bytes, content_type }
    })
    .collect()
});

/// The URL of an asset by its plain name, e.g. `preau.css` → `/static/preau.1a2b3c4d5e.css`.
pub fn url(name: &str) -> &'static str {
    ASSETS
        .iter()
        .find(|a| a.name == name)
        .map(|a| a.url.as_str())
        .unwrap_or_else(|| panic!("unknown asset {name}"))
}

pub async fn serve(Path(file): Path<String>) -> Result<Response, AppError> {
    let path = format!("/static/{file}");
    let asset = ASSETS.iter().find(|a| a.url == path).ok_or(AppError::NotFound)?;
    let mut response = asset.bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}
