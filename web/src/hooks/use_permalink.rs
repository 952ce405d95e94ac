//! The address bar holds the view shown as a `#v1:` permalink, rewritten with
//! `history.replaceState` (no history entry per step) a moment after the view settles; a
//! permalink pasted into the address bar of the open page is restored.

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;
use yew::{hook, use_effect_with, UseReducerDispatcher, UseReducerHandle};

use crate::link;
use crate::state::{Action, State};

/// How long the view must stay put before the URL is rewritten: stepping quickly through
/// a large edited scenario should not compress it at every step.
const SETTLE_MS: u32 = 120;

/// Keeps the URL's fragment the permalink of the view shown (unless `enabled` is false:
/// an embed never touches its URL).
#[hook]
pub fn use_permalink(state: UseReducerHandle<State>, enabled: bool) {
    let key = (
        state.loaded.as_ref().map(|l| l.id),
        state.step,
        state.tab,
        state.seed,
        enabled,
        state.checking,
        state.check.as_ref().map(|c| c.checked.clone()),
    );
    use_effect_with(key, move |&(loaded, _, _, _, _, checking, _)| {
        let timer = (enabled && (loaded.is_some() || checking)).then(|| {
            Timeout::new(SETTLE_MS, move || {
                if link::view_state(&state).is_some() || state.checking {
                    replace_fragment(link::page_fragment(&state).as_deref());
                }
            })
        });
        move || drop(timer)
    });
}

/// `path#fragment` (the query dropped: the fragment holds everything), or the bare path
/// when the view is too large for a link. Refused on some file:// pages; then the URL
/// simply stays as it was.
fn replace_fragment(fragment: Option<&str>) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let path = window.location().pathname().unwrap_or_default();
    let url = match fragment {
        Some(f) => format!("{path}#{f}"),
        None => path,
    };
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Restores a permalink pasted into the address bar of the open page (only the fragment
/// changes, so the page does not reload). Fragments that are not permalinks (a skip
/// link's `#diagram-heading`) are left alone.
#[hook]
pub fn use_hash_change(dispatch: UseReducerDispatcher<State>) {
    use_effect_with((), move |_| {
        let listener = web_sys::window().map(|window| {
            EventListener::new(&window, "hashchange", move |_| {
                let Some(location) = web_sys::window().map(|w| w.location()) else {
                    return;
                };
                let hash = location.hash().unwrap_or_default();
                if !link::is_permalink(&hash) {
                    return;
                }
                let request = link::request(
                    &location.pathname().unwrap_or_default(),
                    &location.search().unwrap_or_default(),
                    &hash,
                );
                dispatch.dispatch(Action::Restore(request.initial));
            })
        });
        move || drop(listener)
    });
}
