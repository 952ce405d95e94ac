//! The scenario picker: every built-in scenario with its title and one-line description.

use std::rc::Rc;

use kmsplay_core::scenario::builtins;
use yew::{
    classes, component, html, use_memo, use_node_ref, use_state_eq, Callback, Html, KeyboardEvent,
    Properties,
};

use crate::describe::first_sentence;

/// One built-in, as the picker shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct CatalogEntry {
    /// Its name.
    pub name: &'static str,
    /// Its title.
    pub title: String,
    /// The first sentence of its description.
    pub summary: String,
}

/// Every built-in that parses, in the engine's order (the default first).
pub fn catalog() -> Vec<CatalogEntry> {
    builtins()
        .iter()
        .filter_map(|b| {
            let s = b.scenario().ok()?;
            Some(CatalogEntry {
                name: b.name,
                summary: first_sentence(&s.description).to_owned(),
                title: s.title,
            })
        })
        .collect()
}

/// The picker's properties.
#[derive(Properties, PartialEq)]
pub struct ScenarioPickerProps {
    /// The built-in shown, if the run is one.
    pub current: Option<&'static str>,
    /// The title of the scenario shown.
    pub current_title: String,
    /// Opens a built-in.
    pub on_pick: Callback<String>,
}

/// A button that opens the list of scenarios.
#[component]
pub fn ScenarioPicker(props: &ScenarioPickerProps) -> Html {
    let entries: Rc<Vec<CatalogEntry>> = use_memo((), |()| catalog());
    let open = use_state_eq(|| false);
    let button = use_node_ref();
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let close = {
        let open = open.clone();
        Callback::from(move |_| open.set(false))
    };
    let onkeydown = {
        let open = open.clone();
        let button = button.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" && *open {
                open.set(false);
                if let Some(b) = button.cast::<web_sys::HtmlElement>() {
                    let _ = b.focus();
                }
            }
        })
    };
    html! {
        <div class="picker" {onkeydown}>
            if *open {
                // A click anywhere else closes the menu.
                <div class="backdrop" aria-hidden="true" onclick={close.clone()}></div>
            }
            <button type="button" class="picker-button" ref={button}
                    aria-expanded={open.to_string()} aria-controls="scenario-menu"
                    data-testid="scenario-picker" onclick={toggle}>
                <span class="picker-label">{ "Scenario" }</span>
                <span class="picker-current">{ props.current_title.clone() }</span>
                <span class="picker-chevron" aria-hidden="true">{ if *open { "▴" } else { "▾" } }</span>
            </button>
            <div id="scenario-menu" class="picker-panel" hidden={!*open}>
                <ul class="scenario-cards" aria-label="Built-in scenarios">
                    { for entries.iter().map(|entry| {
                        let current = props.current == Some(entry.name);
                        let onclick = {
                            let on_pick = props.on_pick.clone();
                            let open = open.clone();
                            let name = entry.name.to_owned();
                            Callback::from(move |_| {
                                open.set(false);
                                on_pick.emit(name.clone());
                            })
                        };
                        html! {
                            <li>
                                <button type="button" class={classes!("scenario-card", current.then_some("current"))}
                                        aria-current={current.then_some("true")}
                                        data-scenario={entry.name} {onclick}>
                                    <span class="card-title">{ entry.title.clone() }</span>
                                    <span class="card-summary">{ entry.summary.clone() }</span>
                                </button>
                            </li>
                        }
                    }) }
                </ul>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_lists_every_builtin_default_first() {
        let c = catalog();
        assert_eq!(c.len(), builtins().len());
        assert_eq!(c[0].name, "workmail-basics");
        assert!(c
            .iter()
            .all(|e| !e.title.is_empty() && !e.summary.is_empty()));
    }
}
