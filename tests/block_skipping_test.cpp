// SPDX-License-Identifier: MIT
// Skipping discarded blocks in training must change nothing but the skipped block itself.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/presets.h"
#include "core/prune_report.h"
#include "core/trainer.h"

namespace epsilon {
namespace {

constexpr size_t kDeadBlock = 1;  // of 3 (depth 8)
constexpr int kSteps = 8;         // 512 images in batches of 64

DatasetPair randomData() {
    torch::manual_seed(3);
    DatasetPair data;
    for (Dataset* split : {&data.train, &data.test}) {
        split->name = "random";
        split->images = torch::randint(0, 256, {512, 1, 28, 28}).to(torch::kUInt8);
        split->labels = torch::randint(0, 10, {512});
        split->num_classes = 10;
    }
    return data;
}

TrainConfig runConfig(int64_t skip_after) {
    TrainConfig config = defaultExperiment();
    config.model.blocks_per_stage = 1;
    config.model.epsilon = 0.0;
    config.epochs = 1;
    config.epsilon_warmup_epochs = 0;
    config.schedule.steps = stepsScaledTo(1);
    config.batch_size = 64;
    config.skip_discarded_after = skip_after;
    config.epsilon_epochs = 0;  // ε to the end
    return config;
}

// A block whose last convolution is zero has F = 0, so its gate is 0 at any ε from the start;
// its gradient is zero too, so the convolution stays zero.
std::unique_ptr<Trainer> trainerWithDeadBlock(int64_t skip_after, const DatasetPair& data) {
    auto trainer = std::make_unique<Trainer>(runConfig(skip_after), data, torch::kCPU);
    torch::NoGradGuard no_grad;
    trainer->model()->branches[kDeadBlock]->conv2->weight.zero_();
    return trainer;
}

bool inDeadBlock(const std::string& name) {
    return name.rfind("blocks." + std::to_string(kDeadBlock) + ".", 0) == 0;
}

// Keeps what each step reported of the dead block, and its second batch norm's running mean as
// the step left it.
class DeadBlockWatcher : public TrainingObserver {
  public:
    explicit DeadBlockWatcher(Trainer& trainer) : trainer_(trainer) {}
    void onStep(const StepRecord& record) override {
        max_abs.push_back(record.max_abs[kDeadBlock]);
        gate.push_back(record.gate[kDeadBlock]);
        running_mean.push_back(trainer_.model()->branches[kDeadBlock]->bn2->running_mean.clone());
    }
    std::vector<float> max_abs, gate;
    std::vector<torch::Tensor> running_mean;

  private:
    Trainer& trainer_;
};

TEST(BlockSkipping, EveryParameterEndsAsWithoutSkipping) {
    const DatasetPair data = randomData();
    auto computed = trainerWithDeadBlock(0, data);
    auto skipping = trainerWithDeadBlock(2, data);
    computed->run(nullptr);
    skipping->run(nullptr);

    EXPECT_EQ(computed->model()->skippedBlocks(), std::vector<bool>(3, false));
    EXPECT_EQ(skipping->model()->skippedBlocks(), (std::vector<bool>{false, true, false}));
    // The dead block's weights too: weight decay and momentum reach them either way.
    const auto skipped_parameters = skipping->model()->named_parameters();
    for (const auto& item : computed->model()->named_parameters()) {
        EXPECT_TRUE(torch::allclose(item.value(), skipped_parameters[item.key()], /*rtol=*/0.0,
                                    /*atol=*/1e-6))
            << item.key();
    }
    // Only the skipped block's running statistics differ: they stopped moving.
    const auto skipped_buffers = skipping->model()->named_buffers();
    int differing = 0;
    for (const auto& item : computed->model()->named_buffers()) {
        const bool same = torch::allclose(item.value().to(torch::kDouble),
                                          skipped_buffers[item.key()].to(torch::kDouble),
                                          /*rtol=*/0.0, /*atol=*/1e-6);
        EXPECT_EQ(same, !inDeadBlock(item.key())) << item.key();
        differing += same ? 0 : 1;
    }
    EXPECT_EQ(differing, 6);  // bn1 and bn2: mean, variance, batches tracked
    EXPECT_EQ(computed->history()[0].test_accuracy, skipping->history()[0].test_accuracy);
}

TEST(BlockSkipping, ASkippedBlockIsFrozenAndReportsNoMagnitudes) {
    const DatasetPair data = randomData();
    auto trainer = trainerWithDeadBlock(2, data);
    DeadBlockWatcher watcher(*trainer);
    trainer->run(&watcher);

    ASSERT_EQ(watcher.max_abs.size(), static_cast<size_t>(kSteps));
    for (int step = 0; step < kSteps; ++step) {
        EXPECT_EQ(watcher.gate[step], 0.0f) << "step " << step + 1;
        if (step < 2) {  // still computed: F = 0
            EXPECT_EQ(watcher.max_abs[step], 0.0f) << "step " << step + 1;
        } else {  // skipped from the third step on
            EXPECT_TRUE(std::isnan(watcher.max_abs[step])) << "step " << step + 1;
            EXPECT_TRUE(torch::equal(watcher.running_mean[step], watcher.running_mean[1]))
                << "step " << step + 1;
        }
    }
    EXPECT_FALSE(torch::equal(watcher.running_mean[1], watcher.running_mean[0]));
    // The epoch's statistics cover the two computed steps only.
    EXPECT_EQ(trainer->history()[0].epoch_max_abs[kDeadBlock], 0.0f);
    EXPECT_EQ(trainer->history()[0].epoch_mean_abs[kDeadBlock], 0.0f);
    EXPECT_GT(trainer->history()[0].epoch_max_abs[0], 0.0f);
    EXPECT_EQ(trainer->progress().gate_off_steps, (std::vector<int64_t>{0, kSteps, 0}));
    EXPECT_EQ(trainer->deadLastEpoch(), (std::vector<uint8_t>{0, 1, 0}));
}

TEST(BlockSkipping, ARestoredRunSkipsTheBlocksItHadSkipped) {
    const DatasetPair data = randomData();
    auto trainer = trainerWithDeadBlock(2, data);
    trainer->run(nullptr);
    Trainer restored(runConfig(2), data, torch::kCPU);
    restored.restoreProgress(trainer->progress());
    EXPECT_EQ(restored.model()->skippedBlocks(), (std::vector<bool>{false, true, false}));
    TrainerProgress short_streak = trainer->progress();
    short_streak.gate_off_steps = {0, 1, 0};
    Trainer not_yet(runConfig(2), data, torch::kCPU);
    not_yet.restoreProgress(short_streak);
    EXPECT_EQ(not_yet.model()->skippedBlocks(), std::vector<bool>(3, false));
}

// A network with the configuration and parameters of `model`, nothing skipped.
EpsilonResNet copyOf(EpsilonResNet& model) {
    EpsilonResNet copy(model->config());
    torch::NoGradGuard no_grad;
    const auto source = model->named_parameters();
    for (auto& item : copy->named_parameters()) {
        item.value().copy_(source[item.key()]);
    }
    return copy;
}

// Evaluation must not compute a skipped block either: its batch-norm statistics stopped when it
// was skipped, so computed it could switch on again with responses training no longer has.
TEST(BlockSkipping, ASkippedBlockIsAnIdentityInEvaluationToo) {
    ModelConfig config;
    config.blocks_per_stage = 2;
    config.epsilon = 0.0;  // every computed block is on
    torch::manual_seed(5);
    EpsilonResNet skipping(config);
    EpsilonResNet zeroed = copyOf(skipping);
    {
        torch::NoGradGuard no_grad;
        zeroed->branches[kDeadBlock]->conv2->weight.zero_();  // F = 0: the block adds nothing
    }
    skipping->skipBlock(kDeadBlock);
    skipping->eval();
    zeroed->eval();
    const torch::Tensor images = torch::randn({16, 1, 28, 28});
    const GatedOutput skipped = skipping->forward(images);
    const GatedOutput reference = zeroed->forward(images);

    EXPECT_TRUE(torch::allclose(skipped.logits, reference.logits, 0.0, 1e-5));
    EXPECT_EQ(skipped.gates[kDeadBlock].item<float>(), 0.0f);
    EXPECT_TRUE(std::isnan(skipped.max_abs[kDeadBlock].item<float>()));
    EXPECT_EQ(skipped.gates.sum().item<float>(), static_cast<float>(config.blockCount() - 1));
    // The block's weights are not zero: computed, it would change the logits.
    EpsilonResNet computed = copyOf(skipping);
    computed->eval();
    EXPECT_FALSE(torch::allclose(computed->forward(images).logits, reference.logits, 0.0, 1e-5));
}

// A block skipped in the middle of the last epoch was on earlier in it, so the dead-last-epoch
// rule alone would keep it; pruning must remove it, since the gated network no longer has it.
TEST(BlockSkipping, PruningRemovesEverySkippedBlockWhateverTheRule) {
    TrainConfig config = runConfig(50);
    TrainerProgress progress;
    progress.dead_last_epoch = {0, 0, 1};
    progress.discard_average = {0.0f, 0.99f, 1.0f};
    progress.gate_off_steps = {0, 60, 49};
    EXPECT_EQ(blocksToRemove(PruneRule::DeadLastEpoch, progress, config),
              (std::vector<bool>{false, true, true}));
    EXPECT_EQ(blocksToRemove(PruneRule::DiscardAverage, progress, config, 1.0),
              (std::vector<bool>{false, true, true}));
    config.skip_discarded_after = 0;  // nothing is skipped: the rule alone decides
    EXPECT_EQ(blocksToRemove(PruneRule::DeadLastEpoch, progress, config),
              (std::vector<bool>{false, false, true}));
    progress.gate_off_steps.clear();  // a snapshot from before the field existed
    EXPECT_EQ(blocksToRemove(PruneRule::DiscardAverage, progress, runConfig(50), 0.95),
              (std::vector<bool>{false, true, true}));
}

TEST(BlockSkipping, ANegativeSettingIsRefused) {
    EXPECT_THROW(validate(runConfig(-1)), std::invalid_argument);
}

// Once ε is back to 0 after the discard phase no gate can close, yet the blocks discarded in
// it must stay identities: the network that trains on is the one pruning will build.
TEST(BlockSkipping, BlocksDiscardedWhileEpsilonAppliedStaySkippedAfterIt) {
    const DatasetPair data = randomData();
    TrainConfig config = runConfig(1);
    config.model.epsilon = 1e6;  // every gate closes on the first step
    config.epochs = 2;
    config.schedule.steps = stepsScaledTo(2);
    config.epsilon_epochs = 1;
    Trainer trainer(config, data, torch::kCPU);
    std::vector<double> epsilons;
    std::vector<float> gates;
    class Log : public TrainingObserver {
      public:
        Log(std::vector<double>& e, std::vector<float>& g) : e_(e), g_(g) {}
        void onStep(const StepRecord& r) override {
            e_.push_back(r.epsilon);
            g_.insert(g_.end(), r.gate.begin(), r.gate.end());
        }

      private:
        std::vector<double>& e_;
        std::vector<float>& g_;
    } log(epsilons, gates);
    trainer.run(&log);

    ASSERT_EQ(epsilons.size(), 2u * kSteps);
    EXPECT_EQ(epsilons.front(), 1e6);
    EXPECT_EQ(epsilons.back(), 0.0);
    EXPECT_EQ(gates, std::vector<float>(gates.size(), 0.0f));
    EXPECT_EQ(trainer.model()->skippedBlocks(), std::vector<bool>(3, true));
}

// A run resumed from a snapshot evaluates and prunes the gated network as it last trained:
// with ε during the discard phase, and with ε = 0 after it.
TEST(BlockSkipping, ARestoredRunHasTheEpsilonOfItsLastEpoch) {
    const DatasetPair data = randomData();
    TrainConfig config = runConfig(1);
    config.model.epsilon = 3.0;
    config.epsilon_epochs = 1;
    Trainer one_epoch(config, data, torch::kCPU);
    one_epoch.run(nullptr);
    config.epochs = 2;
    config.schedule.steps = stepsScaledTo(2);
    Trainer in_phase(config, data, torch::kCPU);
    in_phase.restoreProgress(one_epoch.progress());
    EXPECT_EQ(in_phase.model()->config().epsilon, 3.0);

    in_phase.run(nullptr);
    Trainer after_phase(config, data, torch::kCPU);
    after_phase.restoreProgress(in_phase.progress());
    EXPECT_EQ(after_phase.model()->config().epsilon, 0.0);
}

TEST(BlockSkipping, EndingEpsilonEarlyWithoutSkippingIsRefused) {
    TrainConfig config = runConfig(0);
    config.epsilon_epochs = 1;
    EXPECT_THROW(validate(config), std::invalid_argument);
    config.skip_discarded_after = 1;
    EXPECT_NO_THROW(validate(config));
    config.epsilon_epochs = -1;
    EXPECT_THROW(validate(config), std::invalid_argument);
}

}  // namespace
}  // namespace epsilon
