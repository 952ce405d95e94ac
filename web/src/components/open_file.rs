//! "Open…": a scenario or a recording of `kmsplay serve --record`, from a file picker or
//! dropped anywhere on the page. The file is read in the page and never uploaded; one too
//! large, unreadable or not a scenario is said in the notice and the view stays.

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use yew::{component, hook, html, use_effect_with, use_node_ref, Callback, Html, Properties};

/// The largest file the page opens: a recording of about ten thousand requests.
pub const MAX_FILE_BYTES: f64 = 5.0 * 1024.0 * 1024.0;

/// A file's name, and its text or why it was not read.
pub type Opened = (String, Result<String, String>);

/// Reads `file` and hands it to `on_open`.
fn read(file: web_sys::File, on_open: Callback<Opened>) {
    let name = file.name();
    let size = file.size();
    if size > MAX_FILE_BYTES {
        on_open.emit((
            name,
            Err(format!(
                "it is {:.1} MB, more than the {:.0} MB a recording may be",
                size / 1e6,
                MAX_FILE_BYTES / (1024.0 * 1024.0)
            )),
        ));
        return;
    }
    yew::platform::spawn_local(async move {
        let text = JsFuture::from(file.text()).await;
        let contents = match text.ok().and_then(|t| t.as_string()) {
            Some(text) => Ok(text),
            None => Err("the browser could not read it as text".to_owned()),
        };
        on_open.emit((name, contents));
    });
}

/// The Open button's properties.
#[derive(Properties, PartialEq)]
pub struct OpenFileProps {
    /// Called with the file read.
    pub on_open: Callback<Opened>,
}

/// A button that opens the file picker.
#[component]
pub fn OpenFile(props: &OpenFileProps) -> Html {
    let input = use_node_ref();
    let pick = {
        let input = input.clone();
        Callback::from(move |_| {
            if let Some(input) = input.cast::<web_sys::HtmlInputElement>() {
                input.click();
            }
        })
    };
    let onchange = {
        let on_open = props.on_open.clone();
        Callback::from(move |e: yew::Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                read(file, on_open.clone());
            }
            // The same file can be opened again.
            input.set_value("");
        })
    };
    html! {
        <>
            <button type="button" class="topbar-button" data-testid="open-file" onclick={pick}
                    title="Open a scenario, or a recording of kmsplay serve --record (or drop it on the page)">
                <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d="M4 19 V6 H10 L12 8 H20 V19 Z" />
                </svg>
                <span class="label">{ "Open…" }</span>
            </button>
            <input type="file" accept=".json,application/json" ref={input} {onchange}
                   class="sr-only" tabindex="-1" aria-hidden="true" data-testid="open-file-input" />
        </>
    }
}

/// Opens a file dropped anywhere on the page, for as long as the component lives.
#[hook]
pub fn use_file_drop(on_open: Callback<Opened>, enabled: bool) {
    use_effect_with(enabled, move |&enabled| {
        let listeners = web_sys::window()
            .filter(|_| enabled)
            .and_then(|w| w.document())
            .map(|document| {
                let has_files = |event: &web_sys::Event| {
                    event
                        .dyn_ref::<web_sys::DragEvent>()
                        .and_then(web_sys::DragEvent::data_transfer)
                        .is_some_and(|d| d.types().includes(&"Files".into(), 0))
                };
                let over = EventListener::new_with_options(
                    &document,
                    "dragover",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        if has_files(event) {
                            event.prevent_default();
                        }
                    },
                );
                let drop = EventListener::new_with_options(
                    &document,
                    "drop",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let file = event
                            .dyn_ref::<web_sys::DragEvent>()
                            .and_then(web_sys::DragEvent::data_transfer)
                            .and_then(|d| d.files())
                            .and_then(|f| f.get(0));
                        if let Some(file) = file {
                            event.prevent_default();
                            read(file, on_open.clone());
                        }
                    },
                );
                (over, drop)
            });
        move || drop(listeners)
    });
}
