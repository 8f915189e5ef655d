package dev.veil.server.storage;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

import dev.veil.server.config.ConfigException;

/**
 * Veil's state readable by Veil's own user only: the data dir 0700, database files (and SQLite's {@code -wal},
 * {@code -shm} and {@code -journal} files beside them) 0600. New ones are created so; existing ones are tightened
 * at startup, with a log line saying what they were. SQLite gives a database's {@code -wal} and {@code -shm} files
 * the mode of the database file itself, so creating that file 0600 before SQLite opens it covers them too. On a
 * file system without POSIX permissions nothing is changed.
 */
public final class PrivateFiles {
    private static final Logger LOGGER = Logger.getLogger(PrivateFiles.class.getName());
    private static final Set<PosixFilePermission> DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final List<String> SQLITE_SIDE_FILES = List.of("-wal", "-shm", "-journal");

    private PrivateFiles() {
    }

    /**
     * Creates {@code dir} (and missing parents) 0700, or makes an existing one 0700. A directory every user may
     * write to (such as {@code /tmp}) is shared, not Veil's: it is left as it is, with a warning.
     */
    public static void ownDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            createDirectories(dir);
            return;
        }
        Set<PosixFilePermission> mode = mode(dir);
        if (mode == null || !overlaps(mode)) {
            return;
        }
        if (mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            LOGGER.warning(() -> dir.toAbsolutePath() + " is writable by every user (" + text(mode) + "); Veil "
                    + "leaves a shared directory's mode alone and keeps its files in it 0600: give veil.data-dir a "
                    + "directory of its own");
            return;
        }
        tighten(dir, mode, DIRECTORY, "chmod 700");
    }

    /** Creates {@code dir} and its missing parents 0700; an existing directory is left as it is. */
    public static void createDirectories(Path dir) throws IOException {
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /**
     * The SQLite database {@code name} in {@code dataDir}, both made private ({@link #ownDirectory},
     * {@link #database}) before Veil opens it.
     *
     * @throws ConfigException naming {@code veil.data-dir} when either cannot be created or made private
     */
    public static Path databaseIn(Path dataDir, String name) {
        Path file = dataDir.resolve(name);
        try {
            ownDirectory(dataDir);
            database(file);
        } catch (IOException e) {
            throw new ConfigException("veil.data-dir", "cannot create " + dataDir + " or " + name + " in it ("
                    + e.getClass().getSimpleName() + "); check that its parent is writable by Veil's user");
        }
        return file;
    }

    /**
     * Creates the SQLite database {@code file} empty and 0600 when it does not exist yet, so that SQLite and the
     * files it puts beside it inherit that mode; otherwise makes it, and any {@code -wal}, {@code -shm} or
     * {@code -journal} file beside it, 0600.
     */
    public static void database(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
                return;
            } catch (UnsupportedOperationException e) {
                return;
            } catch (FileAlreadyExistsException e) {
                // Created meanwhile by someone else: tightened below like any existing file.
            }
        }
        tightenFile(file);
        for (String suffix : SQLITE_SIDE_FILES) {
            Path side = file.resolveSibling(file.getFileName() + suffix);
            if (Files.exists(side)) {
                tightenFile(side);
            }
        }
    }

    private static void tightenFile(Path file) throws IOException {
        Set<PosixFilePermission> mode = mode(file);
        if (mode == null || !overlaps(mode)) {
            return;
        }
        Set<PosixFilePermission> owner = EnumSet.copyOf(mode);
        owner.removeAll(OTHERS);
        tighten(file, mode, owner.isEmpty() ? FILE : owner, "chmod 600");
    }

    private static void tighten(Path path, Set<PosixFilePermission> was, Set<PosixFilePermission> mode,
                                String command) {
        try {
            Files.setPosixFilePermissions(path, mode);
            LOGGER.warning(() -> path.toAbsolutePath() + " was " + text(was) + ", open to other users; made it "
                    + text(mode) + " so that only Veil's user reads keys, spend and audit records");
        } catch (IOException e) {
            LOGGER.warning(() -> path.toAbsolutePath() + " is " + text(was) + ", open to other users, and cannot be "
                    + "tightened (" + e.getClass().getSimpleName() + "); run " + command + " on it as its owner");
        }
    }

    private static Set<PosixFilePermission> mode(Path path) throws IOException {
        try {
            return Files.getPosixFilePermissions(path);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    private static boolean overlaps(Set<PosixFilePermission> mode) {
        for (PosixFilePermission permission : mode) {
            if (OTHERS.contains(permission)) {
                return true;
            }
        }
        return false;
    }

    private static String text(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.toString(mode);
    }
}
