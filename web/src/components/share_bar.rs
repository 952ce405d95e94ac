//! "Share": a menu with "Copy link" — the permalink of the view shown, to the clipboard
//! or, where there is no clipboard (an insecure context, a file:// page, a refusal), in a
//! selected read-only field to copy by hand — and "Embed code…", which opens the embed
//! dialog for the view shown.

use std::rc::Rc;

use crate::clipboard::write_clipboard;
use crate::components::embed_dialog::{EmbedDialog, EmbedTarget};
use crate::hooks::use_popover;
use yew::{
    component, html, use_effect_with, use_node_ref, use_state, use_state_eq, Callback, Html,
    Properties,
};

/// The share bar's properties.
#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    /// The permalink of the view shown, or `None` when it is too large for a link.
    pub link: Callback<(), Option<String>>,
    /// What the embed dialog embeds (the view shown), or `None` when it is too large
    /// for a link.
    pub embed: Callback<(), Option<EmbedTarget>>,
}

/// What was last copied, and how it went.
#[derive(Debug, Clone, PartialEq)]
enum Copied {
    /// Waiting for the clipboard.
    Pending,
    /// On the clipboard.
    Done(&'static str),
    /// No clipboard: the text, to copy from a field.
    Manual(&'static str, String),
    /// Nothing to copy: the view is too large for a link.
    TooLarge,
}

/// The Share button, its menu of two buttons, what they did, and the embed dialog.
#[component]
pub fn ShareBar(props: &ShareBarProps) -> Html {
    let menu = use_popover();
    let copied = use_state_eq(|| None::<Copied>);
    let embedding = use_state(|| None::<Rc<EmbedTarget>>);
    let field = use_node_ref();
    {
        // The fallback field is selected as it appears, ready for Ctrl+C.
        let field = field.clone();
        let manual = matches!(*copied, Some(Copied::Manual(..)));
        use_effect_with((manual, (*copied).clone()), move |_| {
            if let Some(input) = field.cast::<web_sys::HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }
    let copy_link = {
        let make = props.link.clone();
        let copied = copied.clone();
        Callback::from(move |_| {
            let what = "Link";
            let Some(text) = make.emit(()) else {
                copied.set(Some(Copied::TooLarge));
                return;
            };
            copied.set(Some(Copied::Pending));
            let copied = copied.clone();
            yew::platform::spawn_local(async move {
                let outcome = if write_clipboard(&text).await {
                    Copied::Done(what)
                } else {
                    Copied::Manual(what, text)
                };
                copied.set(Some(outcome));
            });
        })
    };
    // The menu closes under the dialog; the dialog gives focus back to Share.
    let open_embed = {
        let make = props.embed.clone();
        let copied = copied.clone();
        let embedding = embedding.clone();
        let set_menu = menu.set.clone();
        Callback::from(move |_| match make.emit(()) {
            Some(target) => {
                copied.set(None);
                set_menu.emit(false);
                embedding.set(Some(Rc::new(target)));
            }
            None => copied.set(Some(Copied::TooLarge)),
        })
    };
    let dialog = embedding.as_ref().map(|target| {
        let embedding = embedding.clone();
        let button = menu.button.clone();
        let on_close = Callback::from(move |()| {
            embedding.set(None);
            if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
        html! { <EmbedDialog target={target.clone()} {on_close} /> }
    });
    let status = match &*copied {
        None | Some(Copied::Pending) => Html::default(),
        Some(Copied::Done(what)) => html! {
            <p class="share-done" data-testid="share-done">{ format!("{what} copied to the clipboard.") }</p>
        },
        Some(Copied::Manual(what, text)) => html! {
            <div class="share-manual">
                <label for="share-text">
                    { format!("There is no clipboard here: the {} is selected in this field, copy it with Ctrl+C (⌘C).", what.to_lowercase()) }
                </label>
                <input id="share-text" type="text" readonly=true value={text.clone()}
                       data-testid="share-text" ref={field} />
            </div>
        },
        Some(Copied::TooLarge) => html! {
            <p class="bad-text">{ "This scenario is too large to fit in a link; save its JSON from the editor instead." }</p>
        },
    };
    let toggle = {
        // Opened again, the menu says nothing of the last copy.
        let toggle = menu.toggle.clone();
        let copied = copied.clone();
        Callback::from(move |e| {
            copied.set(None);
            toggle.emit(e);
        })
    };
    html! {
        <div class="share" onkeydown={menu.onkeydown.clone()}>
            { menu.backdrop() }
            <button type="button" class="topbar-button" ref={menu.button.clone()} aria-expanded={menu.open.to_string()}
                    aria-controls="share-menu" data-testid="share" onclick={toggle}>
                <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                    <path d="M12 3 V15 M7 8 L12 3 L17 8 M5 13 V20 H19 V13" />
                </svg>
                <span class="label">{ "Share" }</span>
            </button>
            <div id="share-menu" class="share-menu" role="group" aria-label="Share this view" hidden={!menu.open}>
                <div class="share-buttons">
                    <button type="button" class="secondary" data-testid="copy-link"
                            onclick={copy_link}>{ "Copy link" }</button>
                    <button type="button" class="secondary" data-testid="copy-embed" aria-haspopup="dialog"
                            onclick={open_embed}>{ "Embed code…" }</button>
                </div>
                <div class="share-status" aria-live="polite">{ status }</div>
            </div>
            { dialog.unwrap_or_default() }
        </div>
    }
}
