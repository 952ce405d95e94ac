//! The page's keyboard: ←/→ step, Home/End jump, Space plays or pauses — unless the key
//! belongs to what has focus (the editor, a field, a button's own Space).

use gloo_events::{EventListener, EventListenerOptions};
use wasm_bindgen::JsCast;
use yew::{hook, use_effect_with, UseReducerDispatcher};

use crate::state::{Action, State};

/// What kind of element a key press is aimed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Text entry (textarea, input, select, contenteditable), or anything in a dialog:
    /// every key is its own.
    Text,
    /// A button, link, tab or focusable diagram node: Space and Enter are its own.
    Control,
    /// Anything else.
    Page,
}

/// The action for a key, if the page handles it.
pub fn key_action(key: &str, target: Target, modified: bool) -> Option<Action> {
    if modified || target == Target::Text {
        return None;
    }
    match key {
        "ArrowLeft" => Some(Action::Previous),
        "ArrowRight" => Some(Action::Next),
        "Home" => Some(Action::First),
        "End" => Some(Action::Last),
        " " | "Spacebar" if target == Target::Page => Some(Action::TogglePlay),
        _ => None,
    }
}

fn target_of(event: &web_sys::KeyboardEvent) -> Target {
    let Some(element) = event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    else {
        return Target::Page;
    };
    let tag = element.tag_name().to_ascii_lowercase();
    let role = element.get_attribute("role").unwrap_or_default();
    let editable = element
        .dyn_ref::<web_sys::HtmlElement>()
        .is_some_and(|e| e.is_content_editable());
    // A modal dialog (the embed dialog) owns every key while it is open.
    let in_dialog = element.closest("dialog").ok().flatten().is_some();
    if matches!(tag.as_str(), "textarea" | "input" | "select") || editable || in_dialog {
        Target::Text
    } else if matches!(tag.as_str(), "button" | "a" | "summary")
        || matches!(role.as_str(), "button" | "tab" | "link")
    {
        Target::Control
    } else {
        Target::Page
    }
}

/// Listens for the page's keys on the document for as long as the component lives
/// (unless `enabled` is false: an embed without controls).
#[hook]
pub fn use_keyboard(dispatch: UseReducerDispatcher<State>, enabled: bool) {
    use_effect_with(enabled, move |&enabled| {
        let listener = web_sys::window()
            .filter(|_| enabled)
            .and_then(|w| w.document())
            .map(|document| {
                // Not passive: the handled keys must not also scroll the page.
                EventListener::new_with_options(
                    &document,
                    "keydown",
                    EventListenerOptions::enable_prevent_default(),
                    move |event| {
                        let Some(event) = event.dyn_ref::<web_sys::KeyboardEvent>() else {
                            return;
                        };
                        let modified = event.ctrl_key() || event.alt_key() || event.meta_key();
                        if let Some(action) = key_action(&event.key(), target_of(event), modified) {
                            event.prevent_default();
                            dispatch.dispatch(action);
                        }
                    },
                )
            });
        move || drop(listener)
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_step_unless_focus_owns_them() {
        assert_eq!(
            key_action("ArrowRight", Target::Page, false),
            Some(Action::Next)
        );
        assert_eq!(
            key_action("ArrowLeft", Target::Control, false),
            Some(Action::Previous)
        );
        assert_eq!(key_action("Home", Target::Page, false), Some(Action::First));
        assert_eq!(key_action("End", Target::Page, false), Some(Action::Last));
        assert_eq!(
            key_action(" ", Target::Page, false),
            Some(Action::TogglePlay)
        );
        assert_eq!(key_action(" ", Target::Control, false), None);
        assert_eq!(key_action("ArrowRight", Target::Text, false), None);
        assert_eq!(key_action("ArrowRight", Target::Page, true), None);
        assert_eq!(key_action("a", Target::Page, false), None);
    }
}
