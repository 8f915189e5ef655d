package dev.veil.plugins.pii.detect;

import java.util.List;

/** Finds postal addresses ({@link PiiTypes#POSTAL_ADDRESS}). */
public final class PostalAddressDetector implements Detector {
    @Override
    public void detect(String text, List<Finding> findings) {
    }
}
