//! The drawer: what the stage leaves out, a click away. The run's whole CloudTrail log,
//! the scenario editor, and the key policy editor of the "Edit the key policy"
//! experiment, one panel at a time, beside the stage on a wide screen and over it on a
//! phone.

use yew::{classes, component, html, Callback, Html, KeyboardEvent, Properties};

use crate::state::Panel;

/// The drawer's properties.
#[derive(Properties, PartialEq)]
pub struct DrawerProps {
    /// The panel shown.
    pub panel: Panel,
    /// Whether the key policy editor is open (its panel is offered).
    pub policy: bool,
    /// Shows a panel, or closes the drawer.
    pub on_panel: Callback<Option<Panel>>,
    /// The panels' contents: the log, the editor, the policy editor.
    pub log: Html,
    /// The scenario editor.
    pub editor: Html,
    /// The key policy editor, when open.
    #[prop_or_default]
    pub policy_editor: Html,
}

/// The drawer.
#[component]
pub fn Drawer(props: &DrawerProps) -> Html {
    let mut panels = vec![
        (Panel::Log, "CloudTrail log"),
        (Panel::Editor, "Scenario editor"),
    ];
    if props.policy {
        panels.push((Panel::Policy, "Key policy"));
    }
    let close = {
        let on_panel = props.on_panel.clone();
        Callback::from(move |_| on_panel.emit(None))
    };
    let onkeydown = {
        let on_panel = props.on_panel.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                on_panel.emit(None);
            }
        })
    };
    let tabs = panels.iter().map(|&(panel, label)| {
        let onclick = {
            let on_panel = props.on_panel.clone();
            Callback::from(move |_| on_panel.emit(Some(panel)))
        };
        let selected = panel == props.panel;
        html! {
            <button type="button" role="tab" class={classes!("tab", selected.then_some("current"))}
                    aria-selected={selected.to_string()} aria-controls="drawer-panel" {onclick}>
                { label }
            </button>
        }
    });
    let body = match props.panel {
        Panel::Log => props.log.clone(),
        Panel::Editor => props.editor.clone(),
        Panel::Policy => props.policy_editor.clone(),
    };
    html! {
        <aside id="drawer" class="drawer" aria-label="Log and editors" data-testid="drawer" {onkeydown}>
            <div class="drawer-head">
                <div class="tabs" role="tablist" aria-label="Drawer panels">{ for tabs }</div>
                <button type="button" class="icon close" aria-label="Close the drawer" title="Close (Esc)"
                        onclick={close}>
                    <svg class="btn-icon" viewBox="0 0 24 24" width="18" height="18" aria-hidden="true">
                        <path d="M6 6 L18 18 M18 6 L6 18" />
                    </svg>
                </button>
            </div>
            <div class="drawer-body" id="drawer-panel" role="tabpanel">{ body }</div>
        </aside>
    }
}
