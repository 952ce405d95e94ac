//! One component per file.

pub mod cloudtrail_log;
pub mod decision_view;
pub mod diagram;
pub mod inspector;
pub mod json_view;
pub mod legend;
pub mod scenario_editor;
pub mod scenario_intro;
pub mod scenario_picker;
pub mod step_controls;
pub mod step_list;
