package dev.veil.plugins.pii.detect;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class ScratchTest {
    @Test
    void print() throws Exception {
        PersonNameDetector person = new PersonNameDetector();
        for (String line : Files.readAllLines(Path.of("/tmp/scratch/in.txt"))) {
            String text = line.replace("\\n", "\n");
            List<Finding> found = new ArrayList<>();
            person.detect(text, found);
            StringBuilder out = new StringBuilder();
            for (Finding f : found) {
                out.append(" [").append(text, f.start(), f.end()).append("]");
            }
            System.out.println("SCRATCH " + line + " =>" + out);
        }
    }
}
