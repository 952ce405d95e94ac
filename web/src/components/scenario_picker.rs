//! The scenario picker: every built-in scenario with its title and one-line description.

use std::rc::Rc;

use kmsplay_core::scenario::builtins;
use yew::{classes, component, html, use_memo, Callback, Html, Properties};

use crate::describe::first_sentence;
use crate::hooks::use_popover;

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
    let menu = use_popover();
    html! {
        <div class="picker" onkeydown={menu.onkeydown.clone()}>
            { menu.backdrop() }
            <button type="button" class="picker-button" ref={menu.button.clone()}
                    aria-expanded={menu.open.to_string()} aria-controls="scenario-menu"
                    data-testid="scenario-picker" onclick={menu.toggle.clone()}>
                <span class="picker-label">{ "Scenario" }</span>
                <span class="picker-current">{ props.current_title.clone() }</span>
                <span class="picker-chevron" aria-hidden="true">{ if menu.open { "▴" } else { "▾" } }</span>
            </button>
            <div id="scenario-menu" class="picker-panel" hidden={!menu.open}>
                <ul class="scenario-cards" aria-label="Built-in scenarios">
                    { for entries.iter().map(|entry| {
                        let current = props.current == Some(entry.name);
                        let onclick = {
                            let on_pick = props.on_pick.clone();
                            let set = menu.set.clone();
                            let name = entry.name.to_owned();
                            Callback::from(move |_| {
                                set.emit(false);
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
