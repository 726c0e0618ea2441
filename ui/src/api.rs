//! The one way the UI talks to the shell: `call(&request)` sends a request
//! type of `wildroot_model::app` to the Tauri command of the same name and
//! reads back that command's response type. Values cross as plain JS
//! objects (serde-wasm-bindgen in its JSON-compatible form, maps as objects),
//! which Tauri carries as JSON: the shell reads exactly the serde shape the
//! model defines. Not serde_json: its text parser and formatter, instanced
//! once per response type, were an eighth of the wasm (#26, twiggy).
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wildroot_model::app::{AppError, Command};

#[wasm_bindgen]
extern "C" {
    // `withGlobalTauri` in tauri.conf.json puts this on the window.
    #[wasm_bindgen(js_namespace = ["window", "__TAURI__", "core"], catch)]
    async fn invoke(cmd: &str, args: JsValue) -> Result<JsValue, JsValue>;
}

#[derive(Serialize)]
struct Args<'a, C> {
    req: &'a C,
}

/// Calls the shell. The error is a sentence for the person at the screen.
pub async fn call<C: Command>(req: &C) -> Result<C::Response, String> {
    trace(C::NAME);
    let args = Args { req }
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| format!("the request could not be written: {e}"))?;
    match invoke(C::NAME, args).await {
        Ok(value) => serde_wasm_bindgen::from_value(value)
            .map_err(|e| format!("the app answered in a shape this screen does not know ({e}): restart the app")),
        Err(err) => Err(describe(err)),
    }
}

/// How many entries the start-up trace keeps: the start of a session is
/// what it is for, and a day of status polls would only grow it.
const TRACE_LEN: u32 = 200;

/// Notes `what` (a command's name, or a moment such as the booth's tiles
/// being drawn) in `window.wildrootCalls`, in order: what the window asked
/// of the shell before the booth was usable, for a slow start to be
/// explained, and for the test that the booth waits on no owner's work.
pub fn trace(what: &str) {
    let Some(window) = web_sys::window() else { return };
    let key = JsValue::from_str("wildrootCalls");
    // `dyn_into`, not `Array::from`, which would push onto a copy.
    let list = match js_sys::Reflect::get(&window, &key).map(JsCast::dyn_into::<js_sys::Array>) {
        Ok(Ok(list)) => list,
        _ => {
            let list = js_sys::Array::new();
            let _ = js_sys::Reflect::set(&window, &key, &list);
            list
        }
    };
    if list.length() < TRACE_LEN {
        list.push(&JsValue::from_str(what));
    }
}

fn describe(err: JsValue) -> String {
    if let Ok(app) = serde_wasm_bindgen::from_value::<AppError>(err.clone()) {
        return app.message;
    }
    let text = js_sys::JSON::stringify(&err).map(String::from).unwrap_or_default();
    match err.as_string() {
        Some(s) if !s.is_empty() => s,
        _ => format!("the app did not answer: {text}"),
    }
}
