//! "Start from": the key policy presets from the AWS documentation, for an account and
//! Region, as a select that hands the chosen policy's text to its owner (the key policy
//! editor, "Check my key policy").

use std::rc::Rc;

use kmsplay_core::scenario::experiment::policy_presets;
use yew::{component, html, use_memo, Callback, Event, Html, Properties, TargetCast};

/// The select's properties.
#[derive(Properties, PartialEq)]
pub struct PolicyPresetsProps {
    /// The Region the presets name.
    pub region: String,
    /// The account the presets name.
    pub account: String,
    /// The policy text shown (the preset equal to it is selected).
    pub text: String,
    /// The first option's words, when the text is no preset.
    pub none: &'static str,
    /// The select's test id.
    pub testid: &'static str,
    /// A preset was picked: its text.
    pub on_pick: Callback<String>,
}

/// The select.
#[component]
pub fn PolicyPresets(props: &PolicyPresetsProps) -> Html {
    let presets: Rc<Vec<(String, String)>> = use_memo(
        (props.region.clone(), props.account.clone()),
        |(region, account)| policy_presets(region, account),
    );
    let onchange = {
        let on_pick = props.on_pick.clone();
        let presets = presets.clone();
        Callback::from(move |e: Event| {
            let value = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            if let Some((_, text)) = value.parse::<usize>().ok().and_then(|i| presets.get(i)) {
                on_pick.emit(text.clone());
            }
        })
    };
    let current = presets.iter().position(|(_, text)| *text == props.text);
    html! {
        <select {onchange} data-testid={props.testid}>
            <option value="" selected={current.is_none()}>{ props.none }</option>
            { for presets.iter().enumerate().map(|(i, (name, _))| html! {
                <option value={i.to_string()} selected={current == Some(i)}>{ name.clone() }</option>
            }) }
        </select>
    }
}
