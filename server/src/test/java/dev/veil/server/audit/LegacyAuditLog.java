package dev.veil.server.audit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * An audit log exactly as Veil wrote it before records carried a node id (schema version 1, record layout v1): rows
 * copied from a file the audit log of commit 18a5bf6 wrote, three records (request ids legacy-1 to legacy-3, zero
 * retention, a second apart from {@code FakeClock.START}) with checkpoints at 2 and 3, under the key {@link #KEY}.
 */
final class LegacyAuditLog {
    /** The key-encryption key the log was written with: bytes 0 to 31, base64. */
    static final String KEY = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    private LegacyAuditLog() {
    }

    /** Writes the key to {@code keyFile} and the log to {@code file}, as the old schema had it. */
    static void restore(Path file, Path keyFile) throws Exception {
        Files.writeString(keyFile, KEY + "\n");
        HexFormat hex = HexFormat.of();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
             Statement statement = db.createStatement()) {
            statement.executeUpdate("CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL)");
            statement.executeUpdate("CREATE TABLE records (seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, "
                    + "epoch INTEGER NOT NULL, nonce BLOB NOT NULL, ciphertext BLOB NOT NULL, prev_hash BLOB NOT NULL, "
                    + "hash BLOB NOT NULL)");
            statement.executeUpdate("CREATE TABLE checkpoints (seq INTEGER PRIMARY KEY, created_ms INTEGER NOT NULL, "
                    + "hash BLOB NOT NULL, signature BLOB NOT NULL)");
            statement.executeUpdate("PRAGMA user_version = 1");
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO meta VALUES (?, ?)")) {
                for (String[] row : META) {
                    insert.setString(1, row[0]);
                    insert.setBytes(2, hex.parseHex(row[1]));
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                for (Object[] row : RECORDS) {
                    for (int i = 0; i < 3; i++) {
                        insert.setLong(i + 1, (long) row[i]);
                    }
                    for (int i = 3; i < 7; i++) {
                        insert.setBytes(i + 1, hex.parseHex((String) row[i]));
                    }
                    insert.executeUpdate();
                }
            }
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO checkpoints VALUES (?, ?, ?, ?)")) {
                for (Object[] row : CHECKPOINTS) {
                    insert.setLong(1, (long) row[0]);
                    insert.setLong(2, (long) row[1]);
                    insert.setBytes(3, hex.parseHex((String) row[2]));
                    insert.setBytes(4, hex.parseHex((String) row[3]));
                    insert.executeUpdate();
                }
            }
        }
    }

    private static final String[][] META = {
            {"format", "31"},
            {"key_check", "8e69c721485b9d91ef2d45d664fbbb9d974de0370b132514cf8dab40a978c8dd"},
            {"public_key", "d4b9cfa812bef5220a5ad4d6e57e46cc9b6fc00d1ea7b7b66f3363710df89cf2"},
            {"epoch", "30"},
            {"epoch_started_ms", "31373732343436353130303030"},
    };
    /** seq, created_ms, epoch, nonce, ciphertext, prev_hash, hash. */
    private static final Object[][] RECORDS = {
            {1L, 1772446510000L, 0L,
                    "88b8487c68623e4f88734006",
                    "f2583fbfe04c6e8af9e6282b61c4af7d5e878c100b29f4bbe31e0d84ed78449c7a8edcb40a7f3781933c82efe69df065"
                    + "26772a676cf6857fb6689275f294294cb5d969ea60f1f7cbe86cada6b29998899b5e275328f2cdb89e2399ba550556de"
                    + "619792ceb9c40a7d4d83aca585b8add52b8094a389465495672fb889a87ddacbdb0af47991b139db83b55726bb259191"
                    + "fc8e6a3a4ce771e9c02b0f3630309e625e17c01a36b5244daf5387fdc749be292c60003d2266deea19db166b2fbd832b"
                    + "6ed708b41c5c71d686aa42fd53de9e2815d4e42faa3759280c58c2404b6c6e32ffbe6f2ee5064e51760a30523f909f42"
                    + "10d80adfb0eb95e18d2a8265c1d8ed5d7825b1cd8788267f88edba946fa77c5152560037f4aeacdc1fc023e3ae0502fa"
                    + "d38ef185345a25c3484face7eaa7434d428fda52f0c34747c8f292817e81053adf6f4ce649d191dfb85e55b3f2948b68"
                    + "7752413c66261db4c690a2e4af1cd8c7fa63d3ec40a4dda173ebf392c255b36dd5b0dcd21349a244a31d04f1e021f4a1"
                    + "3e6a78e517f11696535e460b11da60f972f1f238b0f2db9775c85849e4809d30cd3e9a3308c98145fd4195a9a5510c86"
                    + "2c810b5992d976d633dec08a9e2ab6454e881547d341c568116c12b82cfa676bb0781576d477c808c0c0a8fac684f2bf"
                    + "866c942b15e63688b1eb21294700ff07689cfb880a4802c52ef1b3eb0cd082f6a773af76872056908d28cdde245c186b"
                    + "26e0e46d27db8cf7546058e45d1924c15cc9b8149335cbbd8c01cb76a0b13fd2bbf52cc4161557b566e2bcfc11956f95"
                    + "4b697b084f30a00b07bd9ae473c13299a6952cb2cb728b1b22775cddd379e157ef75c1f4a2750c080ed1a7e4f99e11ed"
                    + "09ea3cbaee3ff857175648a63ecac607d0696bd83365bb015f3afa3e72bd8bf1d634bd4304da405c713fb54c470fc48f"
                    + "852129f4ba6ca245f22610b0947eb6c88a6121e0978cda66b4129374be6acdac9a2ca4dae882396b6034",
                    "0000000000000000000000000000000000000000000000000000000000000000",
                    "83ff7d0bbd89a052f6191c9d2def27c83e9de831ec62f7a31897d272dbf5d9da"},
            {2L, 1772446511000L, 0L,
                    "c79e06d6b72c331ac6b65528",
                    "e6637d103100cc4d7db59f92179cbbc94add08a60072bd4afe4cbe6c184adcf725764cfc3726cda734234060cd9d6c62"
                    + "13b917f9c7a1670d3b8c815ee8f6febfd0946fa07dc2196aab9649d582bdc07c56fbd8c8486976bbe3ca30a19aac86bc"
                    + "4a229a3fa2b7ab5ed0b579d5bcce611929f5f61e6635d248138875ad02aa415b14af15f0d5674896920da00e09ca0101"
                    + "35c9ca3f0f0729de99a323d91493d995fcc85d648cd898710246773dc8479d7f423850e936cdb4dcde5c66d9da374154"
                    + "86b64236c56b845a8495345c1585a93bc010c7eae30ac64ae85a127a9a69e88895a95934a593aee3206f9271a17a929d"
                    + "5bc6cdee058fd5d2d63a4d84269d2ec9e07e8e1a423196c87d0110723a4c4ee89e50b10d2c77dafa3051a55fedbaa6f5"
                    + "f65c47054f22e8713efafcc2b9607412e8c923c3670e9c1e56ec1adbadfa94b8dcdc8a81c66f3a3702fec634d2928b1e"
                    + "8b500e6ffa754453cf6baebdab4f20827c819a98d1bcd2de14e9b636aed4f1a8307da1acbe9b512e7da23005feddc30e"
                    + "308e022ec2fd086a6ab8b07f864265619a3439e9300aa9d6529e1ed7489bfbe869206dd8d508eb357bd5f62f02cb4bde"
                    + "f43f5016e1767bdccea1381816fca67427ff91b3ce67d75e4de1d7b9b6e99ad1dfed711e72dc44c44d99fc0cac004579"
                    + "6a79bdeabf10e1b4a6ad1167939d64a379e4dada34ea47628db0b99e76db49e08f29cc511955e2c1be4e8282263c89a4"
                    + "70680a550a3f07d5361948060d76bd755a5d6f906d41cffa33fe77f88a6fc643371e7f80492f9a6690049a95b3d721b4"
                    + "a8036ace05be07d2a81d5b5a5110948fd0758e7c961ccf2ec9114343e93dba58e32520fca36bfbf54c61f08773a5172e"
                    + "ceb5857b486a2be1b21078b10f5ae74e903f48cf34bd22363c1879772f242ba00c9861b033a399349ab82a2141dd364a"
                    + "a8adc39e4a9f5d3f889b9944f3d9b3496d469b2c033e74842084f5b7350cf4834602b4bdeeca3b638687",
                    "83ff7d0bbd89a052f6191c9d2def27c83e9de831ec62f7a31897d272dbf5d9da",
                    "e2f16958b33b000161bea341464de94cf720d00c9d2112611d225fbee908b730"},
            {3L, 1772446512000L, 0L,
                    "040aeaef0675b73089c652bd",
                    "b8dd20fd02325678f377edd04b157064ac1d9c427df1d0c931c6cbb276be7c93c9dc49a93973fdbda5916bd8d4b051bc"
                    + "906e8976099667e4d2f713e8eeead81dd90136e86a616b16aea471f393cc27a4a54ea2d757bfe8fd27e694bfb9d5d730"
                    + "e2ef15ad64b0df357066b9212635df19b61a65935fd59dfeb6714391b243a5cb74e4d17558c9df9ee64190f16b6b3d5e"
                    + "6bf692b3f74bf3a482c6b8265680ad5989a630f45dd9356cb8a0e3676f8b937077eb2f90ff39d103d6c82072f939e2ed"
                    + "e1e3b947f4630839619ae6a24a35c3425baa27249dc81e9706566c1363f01528a21a948454799514d583d715b4190eb9"
                    + "21517aad960ba67fad86388936a3d38b01073a5445e4dc12f19c01d87bf8643bfec6c661df2bdbe0fa41a384085f3f32"
                    + "7e175a58e66560a33fec1f9eb6d31572cebb8f15ac2bad74cb4f59c433b897265b98dadf18d8757991bb763617f5a5f8"
                    + "80792cf5d0634a48baf45923179db5e2afa8b3545511bb16887959b5c017fa17a026d7ff0e6f68b2b971ea66fe75399a"
                    + "ede417e814381be848538e5fdf687964942dab2d3c1cbe3a72a9253753849209094913b028075c1ee0c7e781364150a1"
                    + "92cb4d3a2cd3b57142f520e0d6a89e4c96e17201fa6ad978b9bfa05da8b720c4c6d71c21ad54515315b70e3864708a39"
                    + "8dd2952dddbd18a834e17f627742b0770f047b828b5f456cb8ff28a6a0afd93faf5d3fedee13844c8670444015c4e361"
                    + "22120eab2c667542e7180f40dad67de09b6e8a11ff8e18036e922eefd522880d915ee9de730698b4d02729c6c85f20dc"
                    + "c046540440e0de28d1f937cc9006ce2ca68178a8a6279243d8b473fa8a8150a96be13cb443bf85ab937b849b9b939d7a"
                    + "0107e0c389917799f5a5cf0861446dc4cf7e2ed41ac4f27788b3cefe1376ed0af5a2a37758b1656720d27f2b431ab697"
                    + "15c5a544ba0970f6f6265157ecef6a9a1b310b1f15e76d793568e64328d9726c1a0e10fb64b08c4dfddc",
                    "e2f16958b33b000161bea341464de94cf720d00c9d2112611d225fbee908b730",
                    "e2051d63f26435a5246a1cccafe8f51024add1ce6219dd013464e5c02cfe7cbf"},
    };
    /** seq, created_ms, hash, signature. */
    private static final Object[][] CHECKPOINTS = {
            {2L, 1772446511000L,
                    "e2f16958b33b000161bea341464de94cf720d00c9d2112611d225fbee908b730",
                    "b95d03ebc1715e3b4bbdced8dc41937b19cd49725eb5269d6e5d332684da3fe0f6c2a68cf621ab9147816407e7448010"
                    + "8a056cd778cf812d8b79352a0dab4002"},
            {3L, 1772446513000L,
                    "e2051d63f26435a5246a1cccafe8f51024add1ce6219dd013464e5c02cfe7cbf",
                    "78aed1a8e8b3eb6a380a8de2252fbcf5ec0b83b50797b7909a02a3d5ba0c0cfa9f6dcaf7bab19f1ce8772d8b902b4908"
                    + "22fbf09c02280bb9385d7a396a695908"},
    };
}
