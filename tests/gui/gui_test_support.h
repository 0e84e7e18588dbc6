// SPDX-License-Identifier: MIT
// What the GUI tests share: a run small enough to train in seconds, and the data it needs.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "app/gui/run_settings.h"

namespace epsilon {

/// ResNet-8 on 512 Fashion-MNIST images: 4 steps per epoch.
inline RunSettings smallRun(int epochs) {
    RunSettings settings;
    settings.depth = 8;
    settings.epsilon = 6.0;
    settings.epsilon_warmup = 0;
    settings.epochs = epochs;
    settings.train_limit = 512;
    settings.skip_discarded_after = 0;
    settings.epsilon_epochs = 0;
    return settings;
}

/// Skips tests that train when Debian's dataset-fashion-mnist is not installed.
class FashionMnistTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::filesystem::exists("/usr/share/datasets/fashion-mnist")) {
            GTEST_SKIP() << "dataset-fashion-mnist is not installed";
        }
    }
};

}  // namespace epsilon
