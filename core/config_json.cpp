// SPDX-License-Identifier: MIT
// A run's settings as JSON text.
#include "core/config_json.h"

#include <nlohmann/json.hpp>

namespace epsilon {
namespace {

using nlohmann::json;

json stepsJson(const std::vector<LrStep>& steps) {
    json out = json::array();
    for (const LrStep& step : steps) {
        out.push_back({{"after_epoch", step.after_epoch}, {"learning_rate", step.learning_rate}});
    }
    return out;
}

std::vector<LrStep> stepsFrom(const json& in) {
    std::vector<LrStep> steps;
    for (const json& step : in) {
        steps.push_back(
            {step.at("after_epoch").get<int>(), step.at("learning_rate").get<double>()});
    }
    return steps;
}

}  // namespace

std::string toJson(const ExperimentConfig& config) {
    const TrainConfig& t = config.train;
    const json out = {
        {"data", {{"name", config.data.name}, {"path", config.data.path}}},
        {"model",
         {{"blocks_per_stage", t.model.blocks_per_stage},
          {"depth", t.model.depth()},
          {"in_channels", t.model.in_channels},
          {"num_classes", t.model.num_classes},
          {"image_size", t.model.image_size},
          {"epsilon", t.model.epsilon},
          {"side_head", t.model.side_head}}},
        {"schedule",
         {{"adaptive", t.schedule.adaptive},
          {"steps", stepsJson(t.schedule.steps)},
          {"restart_steps", stepsJson(t.schedule.restart_steps)}}},
        {"epochs", t.epochs},
        {"batch_size", t.batch_size},
        {"momentum", t.momentum},
        {"weight_decay", t.weight_decay},
        {"side_loss_weight", t.side_loss_weight},
        {"discard_average_decay", t.discard_average_decay},
        {"epsilon_warmup_epochs", t.epsilon_warmup_epochs},
        {"epsilon_epochs", t.epsilon_epochs},
        {"crop_padding", t.crop_padding},
        {"horizontal_flip", t.horizontal_flip},
        {"seed", t.seed},
        {"channels_last", t.channels_last},
        {"skip_discarded_after", t.skip_discarded_after},
        {"train_limit", t.train_limit},
        {"test_limit", t.test_limit},
    };
    return out.dump(2);
}

ExperimentConfig experimentFromJson(const std::string& text) {
    try {
        const json in = json::parse(text);
        ExperimentConfig config;
        config.data.name = in.at("data").at("name").get<std::string>();
        config.data.path = in.at("data").at("path").get<std::string>();
        TrainConfig& t = config.train;
        const json& model = in.at("model");
        t.model.blocks_per_stage = model.at("blocks_per_stage").get<int>();
        t.model.in_channels = model.at("in_channels").get<int>();
        t.model.num_classes = model.at("num_classes").get<int>();
        t.model.image_size = model.at("image_size").get<int>();
        t.model.epsilon = model.at("epsilon").get<double>();
        t.model.side_head = model.at("side_head").get<bool>();
        const json& schedule = in.at("schedule");
        t.schedule.adaptive = schedule.at("adaptive").get<bool>();
        t.schedule.steps = stepsFrom(schedule.at("steps"));
        t.schedule.restart_steps = stepsFrom(schedule.at("restart_steps"));
        t.epochs = in.at("epochs").get<int>();
        t.batch_size = in.at("batch_size").get<int>();
        t.momentum = in.at("momentum").get<double>();
        t.weight_decay = in.at("weight_decay").get<double>();
        t.side_loss_weight = in.at("side_loss_weight").get<double>();
        t.discard_average_decay = in.at("discard_average_decay").get<double>();
        t.epsilon_warmup_epochs = in.at("epsilon_warmup_epochs").get<int>();
        // Absent from files written before the setting existed, where ε lasted to the end.
        t.epsilon_epochs = in.value("epsilon_epochs", 0);
        t.crop_padding = in.at("crop_padding").get<int>();
        t.horizontal_flip = in.at("horizontal_flip").get<bool>();
        t.seed = in.at("seed").get<uint64_t>();
        t.channels_last = in.at("channels_last").get<bool>();
        // Absent from files written before the setting existed, which all computed every block.
        t.skip_discarded_after = in.value("skip_discarded_after", int64_t{0});
        t.train_limit = in.at("train_limit").get<int64_t>();
        t.test_limit = in.at("test_limit").get<int64_t>();
        return config;
    } catch (const json::exception& error) {
        throw std::invalid_argument(std::string("settings: ") + error.what());
    }
}

}  // namespace epsilon
