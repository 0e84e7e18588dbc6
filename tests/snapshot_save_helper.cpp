// SPDX-License-Identifier: MIT
// Test helper: re-saves a snapshot and stops dead at a chosen stage of the save, so that a test
// can kill it there. Usage: snapshot_save_helper SNAPSHOT STAGE
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "core/snapshot.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s SNAPSHOT STAGE\n", argv[0]);
        return 2;
    }
    const char* stage_to_stop_at = argv[2];
    try {
        epsilon::Snapshot snapshot = epsilon::loadSnapshot(argv[1]);
        snapshot.progress.train_seconds += 1.0;  // so that a finished save would differ
        epsilon::saveSnapshot(argv[1], snapshot, [&](const char* stage) {
            if (std::strcmp(stage, stage_to_stop_at) == 0) {
                std::printf("stopped at %s\n", stage);
                std::fflush(stdout);
                for (;;) {
                    ::pause();  // until killed
                }
            }
        });
    } catch (const std::exception& error) {
        std::fprintf(stderr, "error: %s\n", error.what());
        return 1;
    }
    std::printf("saved without stopping\n");
    return 0;
}
