//! One component per file. Each gets the data it shows and typed callbacks for what it
//! can do (`Callback<usize>` to go to a step), never the reducer's `Action`.

pub mod break_it;
pub mod bytes_view;
pub mod cloudtrail_log;
pub mod code_view;
pub mod decision_view;
pub mod diagram;
pub mod drawer;
pub mod embed_dialog;
pub mod experiment_banner;
pub mod glyph;
pub mod inspector;
pub mod json_view;
pub mod legend;
pub mod open_file;
pub mod policy_check;
pub mod policy_editor;
pub mod policy_presets;
pub mod scenario_editor;
pub mod scenario_intro;
pub mod scenario_picker;
pub mod scrubber;
pub mod share_bar;
pub mod step_error;
pub mod step_list;
pub mod step_strip;

/// An `oninput` for a text area that hands its new text to `on_text`.
pub fn text_area_input(on_text: &yew::Callback<String>) -> yew::Callback<yew::InputEvent> {
    use yew::TargetCast;
    let on_text = on_text.clone();
    yew::Callback::from(move |e: yew::InputEvent| {
        on_text.emit(
            e.target_unchecked_into::<web_sys::HtmlTextAreaElement>()
                .value(),
        );
    })
}
