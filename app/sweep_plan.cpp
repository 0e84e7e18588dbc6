// SPDX-License-Identifier: MIT
// A training sweep's runs and its plan file.
#include "app/sweep_plan.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace epsilon {

double SweepPlan::epsilonOf(int index) const {
    return epsilons.at(static_cast<size_t>(index) / seeds.size());
}

uint64_t SweepPlan::seedOf(int index) const {
    return seeds.at(static_cast<size_t>(index) % seeds.size());
}

std::string SweepPlan::snapshotOf(int index) const {
    std::ostringstream name;
    name << "runs/eps-" << epsilonOf(index) << "_seed-" << seedOf(index) << ".h5";
    return name.str();
}

std::vector<std::string> SweepPlan::commandOf(int index, const std::string& dir) const {
    std::ostringstream epsilon;
    epsilon.precision(17);
    epsilon << epsilonOf(index);
    std::vector<std::string> command = {"train"};
    command.insert(command.end(), train_arguments.begin(), train_arguments.end());
    const std::vector<std::string> own = {"--epsilon",  epsilon.str(),
                                          "--seed",     std::to_string(seedOf(index)),
                                          "--threads",  std::to_string(threads_per_run),
                                          "--snapshot", dir + "/" + snapshotOf(index),
                                          "--quiet"};
    command.insert(command.end(), own.begin(), own.end());
    return command;
}

void validate(const SweepPlan& plan) {
    if (plan.epsilons.empty() || plan.seeds.empty()) {
        throw std::invalid_argument("a sweep needs at least one ε and one seed");
    }
    for (double epsilon : plan.epsilons) {
        if (!(epsilon >= 0.0))
            throw std::invalid_argument("ε must be >= 0");
    }
    for (const std::string& argument : plan.train_arguments) {
        for (const char* reserved :
             {"--epsilon", "--seed", "--snapshot", "--resume", "--threads"}) {
            if (argument == reserved || argument.rfind(std::string(reserved) + "=", 0) == 0) {
                throw std::invalid_argument(std::string(reserved) +
                                            " is set by the sweep for each run; leave it out");
            }
        }
    }
    if (plan.threads_per_run < 1) {
        throw std::invalid_argument("each run needs at least one thread");
    }
}

std::string planJson(const SweepPlan& plan) {
    return nlohmann::json{{"kind", "training-sweep"},
                          {"epsilons", plan.epsilons},
                          {"seeds", plan.seeds},
                          {"train_arguments", plan.train_arguments},
                          {"threads_per_run", plan.threads_per_run}}
        .dump(2);
}

SweepPlan planFromJson(const std::string& text) {
    try {
        const nlohmann::json in = nlohmann::json::parse(text);
        SweepPlan plan;
        plan.epsilons = in.at("epsilons").get<std::vector<double>>();
        plan.seeds = in.at("seeds").get<std::vector<uint64_t>>();
        plan.train_arguments = in.at("train_arguments").get<std::vector<std::string>>();
        plan.threads_per_run = in.at("threads_per_run").get<int>();
        validate(plan);
        return plan;
    } catch (const nlohmann::json::exception& error) {
        throw std::invalid_argument(std::string("sweep plan: ") + error.what());
    }
}

std::string planPath(const std::string& dir) {
    return dir + "/sweep.json";
}

SweepPlan readPlan(const std::string& dir) {
    const std::string path = planPath(dir);
    std::ifstream in(path);
    if (!in) {
        throw std::runtime_error(path +
                                 ": no sweep plan here (sweep --train or --emit-slurm "
                                 "writes one)");
    }
    return planFromJson(std::string(std::istreambuf_iterator<char>(in), {}));
}

}  // namespace epsilon
